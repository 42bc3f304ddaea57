using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The grain storage's connections (<see cref="StatementCachingSqliteDataSource"/>), used the way the
/// Orleans ADO.NET provider uses them: a connection per call, a new command with parameters added
/// before its text, a reader, then everything disposed.
/// </summary>
public sealed class SqliteStatementCacheTests : IDisposable
{
    private readonly TempDirectory _data = new("statement-cache");
    private readonly string _connectionString;
    private readonly StatementCachingSqliteDataSource _source;

    public SqliteStatementCacheTests()
    {
        _connectionString = StorageConnections.Sqlite(Path.Combine(_data.Path, "cache.db"));
        using (var setup = new SqliteConnection(_connectionString))
        {
            setup.Open();
            using var create = setup.CreateCommand();
            create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE probe (id INTEGER PRIMARY KEY, value TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        _source = new StatementCachingSqliteDataSource(new SqliteDataSource(_connectionString));
    }

    public void Dispose()
    {
        _source.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_statement_runs_again_on_one_kept_connection_with_each_call_s_own_values()
    {
        for (var i = 1; i <= 25; i++)
        {
            await InsertAsync(i, $"value {i}");
        }

        Assert.Equal(1, _source.Opened);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => ((long)i, $"value {i}")), await RowsAsync());
        await using var connection = await _source.OpenConnectionAsync(Cancel);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, await pragma.ExecuteScalarAsync(Cancel)); // NORMAL: durability still comes from the write gate's fsync
    }

    [Fact]
    public async Task A_reader_returns_the_rows_of_each_call_s_parameters()
    {
        await InsertAsync(1, "one");
        await InsertAsync(2, "two");

        Assert.Equal("one", await ReadValueAsync(1));
        Assert.Equal("two", await ReadValueAsync(2));
        Assert.Null(await ReadValueAsync(3));
        Assert.Equal(1, _source.Opened);
    }

    [Fact]
    public async Task A_failed_command_discards_its_connection_and_the_next_call_works()
    {
        await InsertAsync(1, "first");

        await Assert.ThrowsAsync<SqliteException>(() => InsertAsync(1, "duplicate")); // primary key
        await InsertAsync(2, "second");

        Assert.Equal(2, _source.Opened);
        Assert.Equal(Expected((1, "first"), (2, "second")), await RowsAsync());
    }

    [Fact]
    public async Task A_call_that_leaves_a_reader_open_discards_its_connection()
    {
        await InsertAsync(1, "a");
        await InsertAsync(2, "b");

        var connection = await _source.OpenConnectionAsync(Cancel);
        var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM probe ORDER BY id";
        var reader = await command.ExecuteReaderAsync(Cancel);
        Assert.True(await reader.ReadAsync(Cancel));
        await connection.DisposeAsync(); // the reader is still open

        Assert.Equal("b", await ReadValueAsync(2));
        Assert.Equal(2, _source.Opened);
    }

    [Fact]
    public async Task Callers_at_the_same_time_get_separate_connections_which_are_then_reused()
    {
        var first = await _source.OpenConnectionAsync(Cancel);
        var second = await _source.OpenConnectionAsync(Cancel);
        Assert.Equal(2, _source.Opened);
        await first.DisposeAsync();
        await second.DisposeAsync();

        await Task.WhenAll(InsertAsync(1, "x"), InsertAsync(2, "y"));
        await InsertAsync(3, "z");

        Assert.Equal(2, _source.Opened);
        Assert.Equal(Expected((1, "x"), (2, "y"), (3, "z")), await RowsAsync());
    }

    [Fact]
    public async Task A_transaction_rolls_back_and_commits_the_statements_run_in_it()
    {
        await using (var connection = await _source.OpenConnectionAsync(Cancel))
        {
            await using var rolledBack = await connection.BeginTransactionAsync(Cancel);
            await InsertOnAsync(connection, rolledBack, 1, "rolled back");
            await rolledBack.RollbackAsync(Cancel);

            await using var committed = await connection.BeginTransactionAsync(Cancel);
            await InsertOnAsync(connection, committed, 2, "committed");
            await committed.CommitAsync(Cancel);
        }

        Assert.Equal(Expected((2, "committed")), await RowsAsync());
    }

    [Fact]
    public async Task A_kept_statement_still_runs_after_another_connection_changes_the_schema()
    {
        await InsertAsync(1, "before");
        await using (var other = new SqliteConnection(_connectionString))
        {
            await other.OpenAsync(Cancel);
            await using var alter = other.CreateCommand();
            alter.CommandText = "ALTER TABLE probe ADD COLUMN extra TEXT NULL";
            await alter.ExecuteNonQueryAsync(Cancel);
        }

        await InsertAsync(2, "after");

        Assert.Equal(Expected((1, "before"), (2, "after")), await RowsAsync());
        Assert.Equal(1, _source.Opened);
    }

    [Fact]
    public async Task A_returned_connection_cannot_be_used_again()
    {
        var connection = await _source.OpenConnectionAsync(Cancel);
        await connection.DisposeAsync();

        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Throws<InvalidOperationException>(() => connection.Open());
        var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        Assert.Throws<ObjectDisposedException>(() => command.ExecuteScalar());
    }

    /// <summary>As the provider does it: parameters first, then the text, on a new command of a new connection.</summary>
    private async Task InsertAsync(long id, string value)
    {
        await using var connection = await _source.OpenConnectionAsync(Cancel);
        await InsertOnAsync(connection, null, id, value);
    }

    private static async Task InsertOnAsync(DbConnection connection, DbTransaction? transaction, long id, string value)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        AddParameter(command, "id", id, DbType.Int64);
        AddParameter(command, "value", value, DbType.String);
        command.CommandText = "INSERT INTO probe (id, value) VALUES (@id, @value)";
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private async Task<string?> ReadValueAsync(long id)
    {
        await using var connection = await _source.OpenConnectionAsync(Cancel);
        await using var command = connection.CreateCommand();
        AddParameter(command, "id", id, DbType.Int64);
        command.CommandText = "SELECT value FROM probe WHERE id = @id";
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, Cancel);
        return await reader.ReadAsync(Cancel) ? reader.GetString(0) : null;
    }

    private static void AddParameter(DbCommand command, string name, object value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        parameter.DbType = type;
        parameter.Direction = ParameterDirection.Input;
        command.Parameters.Add(parameter);
    }

    private static List<(long, string)> Expected(params (long, string)[] rows) => [.. rows];

    private async Task<List<(long, string)>> RowsAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, value FROM probe ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync(Cancel)) rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }
}
