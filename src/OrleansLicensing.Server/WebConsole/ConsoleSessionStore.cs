using System.Security.Cryptography;
using System.Text;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Who a console session belongs to.</summary>
public enum ConsoleSessionKind
{
    /// <summary>A vendor signed in with an API key.</summary>
    Vendor,
    /// <summary>The operator signed in with the operator token.</summary>
    Operator,
}

/// <summary>A console session as stored: never the API key or token, only their hashes.</summary>
/// <param name="Kind">Vendor or operator.</param>
/// <param name="AccountId">The vendor's account (null for the operator).</param>
/// <param name="Credential">Vendor: the API key's hash (the key grain's lookup key). Operator: hex SHA-256 of the operator token.</param>
/// <param name="ExpiresAt">Absolute end of the session.</param>
public sealed record ConsoleSessionRecord(ConsoleSessionKind Kind, string? AccountId, string Credential, DateTimeOffset ExpiresAt);

/// <summary>
/// Server-side console sessions in <c>licensing_console_sessions</c> (scripts/sql/*/0060_console.sql),
/// shared by every silo. The browser holds a random 256-bit token; the table holds its SHA-256.
/// A session ends at its absolute expiry, after <see cref="IdleTimeout"/> without a request, or at
/// sign-out.
/// </summary>
public sealed class ConsoleSessionStore(LicensingDatabase database, TimeProvider time)
{
    /// <summary>Longest a session lives, however active.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>A session unused for this long has ended.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    // last_seen_at is written at most this often, so browsing does not write on every page.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    /// <summary>Stores a new session and returns the token for the cookie (shown to nothing else).</summary>
    public async Task<string> CreateAsync(ConsoleSessionKind kind, string? accountId, string credential, CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        // Ended sessions are swept here: sign-ins are rare, and an ended row is refused anyway.
        await using (var sweep = connection.CreateCommand())
        {
            sweep.CommandText = "DELETE FROM licensing_console_sessions WHERE expires_at <= @now OR last_seen_at <= @idle";
            sweep.AddParameter("now", now);
            sweep.AddParameter("idle", now - (long)IdleTimeout.TotalMilliseconds);
            await sweep.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO licensing_console_sessions (token_hash, kind, account_id, credential, created_at, expires_at, last_seen_at)
            VALUES (@hash, @kind, @account, @credential, @now, @expires, @now)
            """;
        insert.AddParameter("hash", Hash(token));
        insert.AddParameter("kind", kind == ConsoleSessionKind.Vendor ? "vendor" : "operator");
        insert.AddParameter("account", accountId);
        insert.AddParameter("credential", credential);
        insert.AddParameter("now", now);
        insert.AddParameter("expires", now + (long)Lifetime.TotalMilliseconds);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }

    /// <summary>The live session of <paramref name="token"/>, or <c>null</c> (unknown, expired or idle too long).</summary>
    public async Task<ConsoleSessionRecord?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is not { Length: > 0 and <= 100 }) return null;
        var hash = Hash(token);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        ConsoleSessionRecord record;
        long lastSeen;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT kind, account_id, credential, expires_at, last_seen_at FROM licensing_console_sessions WHERE token_hash = @hash";
            read.AddParameter("hash", hash);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            var expiresAt = Convert.ToInt64(reader.GetValue(3));
            lastSeen = Convert.ToInt64(reader.GetValue(4));
            if (expiresAt <= now || lastSeen <= now - (long)IdleTimeout.TotalMilliseconds) return null;
            record = new ConsoleSessionRecord(
                reader.GetString(0) == "vendor" ? ConsoleSessionKind.Vendor : ConsoleSessionKind.Operator,
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
        }
        if (now - lastSeen >= (long)TouchInterval.TotalMilliseconds)
        {
            await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var touch = connection.CreateCommand();
            touch.CommandText = "UPDATE licensing_console_sessions SET last_seen_at = @now WHERE token_hash = @hash";
            touch.AddParameter("now", now);
            touch.AddParameter("hash", hash);
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }
        return record;
    }

    /// <summary>Ends the session of <paramref name="token"/> (sign-out); unknown tokens are ignored.</summary>
    public async Task DeleteAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is not { Length: > 0 and <= 100 }) return;
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM licensing_console_sessions WHERE token_hash = @hash";
        delete.AddParameter("hash", Hash(token));
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Lowercase hex SHA-256 of a secret given to the console (session token, operator token).</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
