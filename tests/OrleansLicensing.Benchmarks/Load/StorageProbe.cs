using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansLicensing.Benchmarks.Load;

/// <summary>
/// Reads write counters straight from the database: every grain-state write bumps its row's
/// <c>version</c> (a new row starts at 1), so the sum of versions per state name counts writes.
/// </summary>
public sealed class StorageProbe(string? sqliteFile, string? postgres)
{
    public async Task<StorageCounts> ReadAsync()
    {
        await using DbConnection connection = postgres is not null
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={sqliteFile};Mode=ReadOnly");
        await connection.OpenAsync();
        var writes = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT grain_type_string, SUM(version) FROM licensing_grain_state GROUP BY grain_type_string";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) writes[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1));
        }
        long authLogRows;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COUNT(*) FROM licensing_auth_log";
            authLogRows = Convert.ToInt64(await command.ExecuteScalarAsync());
        }
        return new StorageCounts(writes, authLogRows);
    }
}

/// <summary>Grain-state writes per state name, and auth-log rows.</summary>
public sealed record StorageCounts(IReadOnlyDictionary<string, long> Writes, long AuthLogRows)
{
    public long TotalWrites => Writes.Values.Sum();

    /// <summary>Per state name, the writes since <paramref name="before"/> (names with none left out).</summary>
    public IReadOnlyDictionary<string, long> WritesSince(StorageCounts before) => Writes
        .Select(w => (w.Key, Delta: w.Value - before.Writes.GetValueOrDefault(w.Key)))
        .Where(w => w.Delta != 0)
        .ToDictionary(w => w.Key, w => w.Delta, StringComparer.Ordinal);
}
