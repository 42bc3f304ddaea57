using System.Data;
using System.Data.Common;
using System.Text.Json;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Reads of the request path's durable rows (scripts/sql/*/0050_request_path.sql): the replay
/// window and the heartbeat counters. Their writes are the account's state writes (the projection);
/// these are reads, so they take no turn at the SQLite write gate.
/// </summary>
public sealed class SqlRequestPathStore(LicensingDatabase database) : IReplayWindowStore, IHeartbeatCounterStore
{
    /// <inheritdoc />
    public async Task<IReadOnlySet<(string AppId, string Nonce)>> FindRecordedAsync(IReadOnlyCollection<(string AppId, string Nonce)> candidates, DateTimeOffset since)
    {
        var found = new HashSet<(string AppId, string Nonce)>();
        if (candidates.Count == 0) return found;
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        if (database.IsPostgres)
        {
            command.CommandText =
                "SELECT n.app_id, n.nonce FROM unnest(@apps, @nonces) AS c(app_id, nonce) " +
                "JOIN licensing_replay_nonces n ON n.app_id = c.app_id AND n.nonce = c.nonce WHERE n.seen_at > @since";
            var apps = new string[candidates.Count];
            var nonces = new string[candidates.Count];
            var i = 0;
            foreach (var (appId, nonce) in candidates)
            {
                apps[i] = appId;
                nonces[i++] = nonce;
            }
            command.Parameters.Add(new Npgsql.NpgsqlParameter("apps", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = apps });
            command.Parameters.Add(new Npgsql.NpgsqlParameter("nonces", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = nonces });
        }
        else
        {
            command.CommandText =
                // CROSS JOIN keeps the candidates outside (one primary-key probe each); the unary plus keeps
                // the seen_at index out of the plan (it would scan the whole window).
                "SELECT n.app_id, n.nonce FROM json_each(@candidates) AS c " +
                "CROSS JOIN licensing_replay_nonces n ON n.app_id = json_extract(c.value, '$[0]') AND n.nonce = json_extract(c.value, '$[1]') " +
                "WHERE +n.seen_at > @since";
            command.AddParameter("candidates", JsonSerializer.Serialize(candidates.Select(c => new[] { c.AppId, c.Nonce })), DbType.String);
        }
        command.AddParameter("since", since.ToUnixTimeMilliseconds(), DbType.Int64);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add((reader.GetString(0), reader.GetString(1)));
        return found;
    }

    /// <inheritdoc />
    public async Task<long> ReadAsync(string licenseKey)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count FROM licensing_heartbeat_counts WHERE license_key = @key";
        command.AddParameter("key", licenseKey, DbType.String);
        return await command.ExecuteScalarAsync() is { } count and not DBNull ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Deletes replay-window rows last seen before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PruneNoncesAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM licensing_replay_nonces WHERE seen_at < @before";
        command.AddParameter("before", before.ToUnixTimeMilliseconds(), DbType.Int64);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
