using System.Data.Common;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Http;

/// <summary>A stored response, replayed for a retry with the same key and request.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] ProtectedBody);

/// <summary>What <see cref="IdempotencyStore.TryClaimAsync"/> found.</summary>
public enum ClaimStatus
{
    /// <summary>This request holds the key now and runs.</summary>
    Claimed,
    /// <summary>An earlier request with the same fingerprint completed: replay its response.</summary>
    Completed,
    /// <summary>The key was used for another method, path or body.</summary>
    FingerprintMismatch,
    /// <summary>The first request with this key is still running.</summary>
    InProgress,
}

/// <summary>Outcome of a claim; <see cref="Response"/> is set for <see cref="ClaimStatus.Completed"/>.</summary>
public sealed record ClaimOutcome(ClaimStatus Status, StoredResponse? Response = null);

/// <summary>
/// The <c>licensing_idempotency</c> table (scripts/sql/*/0030_idempotency.sql): one row per caller
/// scope and key, in the shared database so the claim is cluster-wide. Every write is conditional
/// on the claim token, so a request whose claim was taken over (expired, abandoned) changes nothing.
/// </summary>
public sealed class IdempotencyStore(LicensingDatabase database)
{
    /// <summary>
    /// Claims (<paramref name="scope"/>, <paramref name="key"/>) for a request with
    /// <paramref name="fingerprint"/>, or reports what holds it. A row older than
    /// <paramref name="window"/>, or one still in progress after <paramref name="lease"/> (its silo
    /// died mid-request), counts as absent and is taken over.
    /// </summary>
    public async Task<ClaimOutcome> TryClaimAsync(string scope, string key, string fingerprint, string token, DateTimeOffset now, TimeSpan window, TimeSpan lease, CancellationToken ct)
    {
        await using var turn = await database.WriteGate.EnterAsync(ct);
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var inserted = await ExecuteAsync(connection,
                """
                INSERT INTO licensing_idempotency (scope, idempotency_key, fingerprint, claim_token, created_at)
                VALUES (@scope, @key, @fingerprint, @token, @now)
                ON CONFLICT (scope, idempotency_key) DO NOTHING
                """,
                ct, ("scope", scope), ("key", key), ("fingerprint", fingerprint), ("token", token), ("now", nowMs));
            if (inserted == 1) return new ClaimOutcome(ClaimStatus.Claimed);

            await using var read = Command(connection,
                "SELECT fingerprint, claim_token, created_at, status_code, content_type, location, body FROM licensing_idempotency WHERE scope = @scope AND idempotency_key = @key",
                ("scope", scope), ("key", key));
            string existingFingerprint, existingToken;
            long createdAt;
            StoredResponse? response = null;
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) continue; // released in between: claim again
                existingFingerprint = reader.GetString(0);
                existingToken = reader.GetString(1);
                createdAt = Convert.ToInt64(reader.GetValue(2));
                if (!reader.IsDBNull(3))
                {
                    response = new StoredResponse(
                        Convert.ToInt32(reader.GetValue(3)),
                        reader.IsDBNull(4) ? null : reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5),
                        reader.IsDBNull(6) ? [] : (byte[])reader.GetValue(6));
                }
            }

            var expired = createdAt < nowMs - (long)window.TotalMilliseconds;
            var abandoned = response is null && createdAt < nowMs - (long)lease.TotalMilliseconds;
            if (expired || abandoned)
            {
                var taken = await ExecuteAsync(connection,
                    """
                    UPDATE licensing_idempotency
                    SET fingerprint = @fingerprint, claim_token = @token, created_at = @now,
                        status_code = NULL, content_type = NULL, location = NULL, body = NULL, completed_at = NULL
                    WHERE scope = @scope AND idempotency_key = @key AND claim_token = @previous
                    """,
                    ct, ("fingerprint", fingerprint), ("token", token), ("now", nowMs), ("scope", scope), ("key", key), ("previous", existingToken));
                if (taken == 1) return new ClaimOutcome(ClaimStatus.Claimed);
                continue; // another request took it over first: look again
            }
            if (existingFingerprint != fingerprint) return new ClaimOutcome(ClaimStatus.FingerprintMismatch);
            return response is null ? new ClaimOutcome(ClaimStatus.InProgress) : new ClaimOutcome(ClaimStatus.Completed, response);
        }
        // Only reachable when other requests keep releasing and re-claiming the same key.
        return new ClaimOutcome(ClaimStatus.InProgress);
    }

    /// <summary>Stores the response of a claimed request; false when the claim is no longer this request's.</summary>
    public async Task<bool> CompleteAsync(string scope, string key, string token, StoredResponse response, DateTimeOffset now, CancellationToken ct)
    {
        await using var turn = await database.WriteGate.EnterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        return await ExecuteAsync(connection,
            """
            UPDATE licensing_idempotency
            SET status_code = @status, content_type = @contentType, location = @location, body = @body, completed_at = @now
            WHERE scope = @scope AND idempotency_key = @key AND claim_token = @token AND status_code IS NULL
            """,
            ct, ("status", response.StatusCode), ("contentType", response.ContentType), ("location", response.Location), ("body", response.ProtectedBody),
            ("now", now.ToUnixTimeMilliseconds()), ("scope", scope), ("key", key), ("token", token)) == 1;
    }

    /// <summary>Gives a claim up (the request failed with a 5xx): the client may retry with the same key.</summary>
    public async Task ReleaseAsync(string scope, string key, string token, CancellationToken ct)
    {
        await using var turn = await database.WriteGate.EnterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await ExecuteAsync(connection,
            "DELETE FROM licensing_idempotency WHERE scope = @scope AND idempotency_key = @key AND claim_token = @token AND status_code IS NULL",
            ct, ("scope", scope), ("key", key), ("token", token));
    }

    /// <summary>Deletes rows whose window ended before <paramref name="horizon"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset horizon, CancellationToken ct)
    {
        await using var turn = await database.WriteGate.EnterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        return await ExecuteAsync(connection, "DELETE FROM licensing_idempotency WHERE created_at < @horizon", ct, ("horizon", horizon.ToUnixTimeMilliseconds()));
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        return command;
    }
}
