using System.Data;
using System.Data.Common;
using System.Text.Json;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The request path's durable rows (scripts/sql/*/0050_request_path.sql): the replay window and the
/// heartbeat counters. The nonces and the counters of billable heartbeats are written by the account's
/// state writes (the projection); the reads here take no turn at the SQLite write gate. The counters
/// of non-billable heartbeats are raised by <see cref="RaiseCountersAsync"/>, in batches from
/// <see cref="HeartbeatCounterJournal"/>.
/// </summary>
public sealed class SqlRequestPathStore(LicensingDatabase database) : IReplayWindowStore
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

    /// <summary>The stored heartbeat counters of <paramref name="licenseKeys"/>, in one read; a license without one is absent.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadCountersAsync(IReadOnlyCollection<string> licenseKeys)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (licenseKeys.Count == 0) return counts;
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        if (database.IsPostgres)
        {
            command.CommandText = "SELECT license_key, count FROM licensing_heartbeat_counts WHERE license_key = ANY(@keys)";
            command.Parameters.Add(new Npgsql.NpgsqlParameter("keys", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = licenseKeys.ToArray() });
        }
        else
        {
            command.CommandText = "SELECT license_key, count FROM licensing_heartbeat_counts WHERE license_key IN (SELECT value FROM json_each(@keys))";
            command.AddParameter("keys", JsonSerializer.Serialize(licenseKeys), DbType.String);
        }
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>
    /// Raises each license's stored counter to the given count, never lowering one, in one statement;
    /// returns once the write is durable (on SQLite after the write gate's shared <c>fsync</c>).
    /// </summary>
    public async Task RaiseCountersAsync(IReadOnlyDictionary<string, long> counts, CancellationToken cancellationToken = default)
    {
        if (counts.Count == 0) return;
        // One order for every writer of these rows (the account's projection walks its keys the same
        // way), so that concurrent PostgreSQL writers lock them in the same order and cannot deadlock.
        var keys = counts.Keys.Order(StringComparer.Ordinal).ToArray();
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (database.IsPostgres)
        {
            command.CommandText =
                "INSERT INTO licensing_heartbeat_counts AS c (license_key, count) " +
                "SELECT k, n FROM unnest(@keys, @counts) AS r(k, n) ORDER BY k COLLATE \"C\" " +
                "ON CONFLICT (license_key) DO UPDATE SET count = excluded.count WHERE excluded.count > c.count";
            command.Parameters.Add(new Npgsql.NpgsqlParameter("keys", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = keys });
            command.Parameters.Add(new Npgsql.NpgsqlParameter("counts", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint) { Value = keys.Select(k => counts[k]).ToArray() });
        }
        else
        {
            command.CommandText =
                "INSERT INTO licensing_heartbeat_counts (license_key, count) " +
                "SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]') FROM json_each(@rows) AS r WHERE 1 " +
                "ON CONFLICT (license_key) DO UPDATE SET count = excluded.count WHERE excluded.count > licensing_heartbeat_counts.count";
            command.AddParameter("rows", JsonSerializer.Serialize(keys.Select(k => new object[] { k, counts[k] })), DbType.String);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
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
