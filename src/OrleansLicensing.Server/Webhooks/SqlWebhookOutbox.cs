using System.Data;
using System.Data.Common;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>
/// The webhook tables on the product database (scripts/sql/*/0010_events.sql and 0020_webhooks.sql):
/// the events outbox and <c>licensing_webhook_deliveries</c>. The same SQL for SQLite and PostgreSQL
/// except for boolean literals. Times are stored as Unix milliseconds.
/// </summary>
public sealed class SqlWebhookOutbox(LicensingDatabase database) : IWebhookOutbox
{
    private const string DeliveryColumns =
        "seq, delivery_id, account_id, app_id, webhook_id, event_id, event_type, occurred_at, data, created_at, " +
        "status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error";

    private string Undispatched => database.IsPostgres ? "NOT dispatched" : "dispatched = 0";
    private string DispatchedTrue => database.IsPostgres ? "true" : "1";

    public async Task<IReadOnlyList<UndispatchedEvent>> ReadUndispatchedAsync(string accountId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT seq, event_id, account_id, app_id, type, occurred_at, data FROM licensing_events " +
            $"WHERE account_id = @account AND {Undispatched} ORDER BY seq LIMIT @limit";
        command.AddParameter("account", accountId);
        command.AddParameter("limit", limit);
        var events = new List<UndispatchedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new UndispatchedEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.GetString(6)));
        }
        return events;
    }

    public async Task DispatchAsync(IReadOnlyList<long> eventSeqs, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        // Writes only (no read first): on SQLite the transaction takes the write lock up front, waiting on the busy timeout.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var delivery in deliveries)
        {
            await InsertAsync(connection, transaction, delivery, null, cancellationToken);
        }
        foreach (var seq in eventSeqs)
        {
            await using var mark = connection.CreateCommand();
            mark.Transaction = transaction;
            mark.CommandText = $"UPDATE licensing_events SET dispatched = {DispatchedTrue} WHERE seq = @seq";
            mark.AddParameter("seq", seq);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ReadDueAsync(string accountId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DeliveryColumns} FROM licensing_webhook_deliveries " +
            "WHERE status = 'pending' AND next_attempt_at <= @now AND account_id = @account ORDER BY next_attempt_at, seq LIMIT @limit";
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        command.AddParameter("account", accountId);
        command.AddParameter("limit", limit);
        return await ReadDeliveriesAsync(command, cancellationToken);
    }

    public async Task<WebhookDelivery?> FindAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DeliveryColumns} FROM licensing_webhook_deliveries WHERE delivery_id = @id";
        command.AddParameter("id", deliveryId);
        return (await ReadDeliveriesAsync(command, cancellationToken)) is [var first, ..] ? first : null;
    }

    public async Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Right-hand column references read the row before the update: delivered stays delivered.
        command.CommandText = attempt.Status is { } status
            ? "UPDATE licensing_webhook_deliveries SET attempts = attempts + 1, last_attempt_at = @at, last_status_code = @code, last_error = @error, " +
              "status = CASE WHEN status = 'delivered' THEN status ELSE @status END, " +
              "next_attempt_at = CASE WHEN status = 'delivered' THEN NULL ELSE @next END " +
              "WHERE delivery_id = @id"
            : "UPDATE licensing_webhook_deliveries SET attempts = attempts + 1, last_attempt_at = @at, last_status_code = @code, last_error = @error " +
              "WHERE delivery_id = @id";
        command.AddParameter("id", attempt.DeliveryId);
        command.AddParameter("at", attempt.At.ToUnixTimeMilliseconds());
        command.AddParameter("code", attempt.StatusCode, DbType.Int32);
        command.AddParameter("error", Truncate(attempt.Error), DbType.String);
        if (attempt.Status is { } value)
        {
            command.AddParameter("status", StatusText(value));
            command.AddParameter("next", value == DeliveryStatus.Pending ? attempt.NextAttemptAt?.ToUnixTimeMilliseconds() : null, DbType.Int64);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task InsertAttemptedAsync(NewDelivery delivery, DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await InsertAsync(connection, null, delivery, attempt, cancellationToken);
    }

    /// <summary>One page of a webhook's delivery log, newest first, strictly older than <paramref name="beforeSeq"/>.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(string webhookId, long? beforeSeq, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DeliveryColumns} FROM licensing_webhook_deliveries WHERE webhook_id = @webhook " +
            (beforeSeq is null ? "" : "AND seq < @before ") + "ORDER BY seq DESC LIMIT @limit";
        command.AddParameter("webhook", webhookId);
        if (beforeSeq is { } before) command.AddParameter("before", before);
        command.AddParameter("limit", limit);
        return await ReadDeliveriesAsync(command, cancellationToken);
    }

    /// <summary>
    /// Deletes dispatched events and finished deliveries created before <paramref name="cutoff"/>, at most
    /// <paramref name="limit"/> rows of each per call; returns how many rows went.
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"DELETE FROM licensing_events WHERE seq IN (SELECT seq FROM licensing_events WHERE NOT ({Undispatched}) AND occurred_at < @cutoff ORDER BY seq LIMIT @limit);" +
            "DELETE FROM licensing_webhook_deliveries WHERE seq IN (SELECT seq FROM licensing_webhook_deliveries WHERE status <> 'pending' AND created_at < @cutoff ORDER BY seq LIMIT @limit);";
        command.AddParameter("cutoff", cutoff.ToUnixTimeMilliseconds());
        command.AddParameter("limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Accounts with undispatched events or due deliveries (the sweeper wakes their dispatch grains).</summary>
    public async Task<IReadOnlyList<string>> AccountsWithWorkAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT account_id FROM licensing_events WHERE {Undispatched} " +
            "UNION SELECT account_id FROM licensing_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now " +
            "LIMIT @limit";
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        command.AddParameter("limit", limit);
        var accounts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) accounts.Add(reader.GetString(0));
        return accounts;
    }

    /// <summary>The outbox backlog: events not yet turned into deliveries, and deliveries still pending (partial indexes, cheap).</summary>
    public async Task<(long Events, long Deliveries)> CountBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT (SELECT COUNT(*) FROM licensing_events WHERE {Undispatched}), " +
            "(SELECT COUNT(*) FROM licensing_webhook_deliveries WHERE status = 'pending')";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, NewDelivery delivery, DeliveryAttempt? attempt, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "INSERT INTO licensing_webhook_deliveries (delivery_id, account_id, app_id, webhook_id, event_id, event_type, occurred_at, data, created_at, " +
            "status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error) " +
            "VALUES (@id, @account, @app, @webhook, @event, @type, @occurred, @data, @created, @status, @attempts, @next, @last, @code, @error) " +
            "ON CONFLICT (event_id, webhook_id) DO NOTHING";
        command.AddParameter("id", delivery.DeliveryId);
        command.AddParameter("account", delivery.AccountId);
        command.AddParameter("app", delivery.AppId);
        command.AddParameter("webhook", delivery.WebhookId);
        command.AddParameter("event", delivery.EventId);
        command.AddParameter("type", delivery.EventType);
        command.AddParameter("occurred", delivery.OccurredAt.ToUnixTimeMilliseconds());
        command.AddParameter("data", delivery.DataJson);
        command.AddParameter("created", delivery.CreatedAt.ToUnixTimeMilliseconds());
        var status = attempt?.Status ?? DeliveryStatus.Pending;
        command.AddParameter("status", StatusText(status));
        command.AddParameter("attempts", attempt is null ? 0 : 1);
        command.AddParameter("next", attempt is null ? delivery.FirstAttemptAt.ToUnixTimeMilliseconds()
            : status == DeliveryStatus.Pending ? attempt.NextAttemptAt?.ToUnixTimeMilliseconds() : null, DbType.Int64);
        command.AddParameter("last", attempt?.At.ToUnixTimeMilliseconds(), DbType.Int64);
        command.AddParameter("code", attempt?.StatusCode, DbType.Int32);
        command.AddParameter("error", Truncate(attempt?.Error), DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<WebhookDelivery>> ReadDeliveriesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var deliveries = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(new WebhookDelivery(
                Seq: reader.GetInt64(0),
                DeliveryId: reader.GetString(1),
                AccountId: reader.GetString(2),
                AppId: reader.GetString(3),
                WebhookId: reader.GetString(4),
                EventId: reader.GetString(5),
                EventType: reader.GetString(6),
                OccurredAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                DataJson: reader.GetString(8),
                CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
                Status: ParseStatus(reader.GetString(10)),
                Attempts: Convert.ToInt32(reader.GetValue(11)),
                NextAttemptAt: reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
                LastAttemptAt: reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
                LastStatusCode: reader.IsDBNull(14) ? null : Convert.ToInt32(reader.GetValue(14)),
                LastError: reader.IsDBNull(15) ? null : reader.GetString(15)));
        }
        return deliveries;
    }

    private static string StatusText(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Pending => "pending",
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static DeliveryStatus ParseStatus(string status) => status switch
    {
        "delivered" => DeliveryStatus.Delivered,
        "failed" => DeliveryStatus.Failed,
        _ => DeliveryStatus.Pending,
    };

    private static string? Truncate(string? error) => error is { Length: > 500 } ? error[..500] : error;
}
