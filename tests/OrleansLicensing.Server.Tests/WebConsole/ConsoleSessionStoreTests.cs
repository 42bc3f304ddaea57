using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Session lifetime rules of <see cref="ConsoleSessionStore"/> on the real database, with time shifted.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class ConsoleSessionStoreTests(SqliteServer server)
{
    private readonly ShiftableClock _clock = new();

    private ConsoleSessionStore Store => new(server.Host.Services.GetRequiredService<LicensingDatabase>(), _clock);

    [Fact]
    public async Task A_session_used_within_the_idle_timeout_lives_until_its_absolute_end()
    {
        var token = await Store.CreateAsync(ConsoleSessionKind.Vendor, "acc_test", "hash", TestContext.Current.CancellationToken);
        for (var elapsed = TimeSpan.Zero; elapsed < ConsoleSessionStore.Lifetime - TimeSpan.FromMinutes(25); elapsed += TimeSpan.FromMinutes(25))
        {
            Assert.NotNull(await Store.FindAsync(token, TestContext.Current.CancellationToken));
            _clock.Advance(TimeSpan.FromMinutes(25));
        }
        // 700 minutes in, used 25 minutes ago: still live; 25 minutes later it is past its 12 hours, though not idle.
        Assert.NotNull(await Store.FindAsync(token, TestContext.Current.CancellationToken));
        _clock.Advance(TimeSpan.FromMinutes(25));
        Assert.Null(await Store.FindAsync(token, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_session_left_idle_ends()
    {
        var token = await Store.CreateAsync(ConsoleSessionKind.Operator, null, "hash", TestContext.Current.CancellationToken);
        _clock.Advance(ConsoleSessionStore.IdleTimeout - TimeSpan.FromMinutes(1));
        Assert.NotNull(await Store.FindAsync(token, TestContext.Current.CancellationToken));
        _clock.Advance(ConsoleSessionStore.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Null(await Store.FindAsync(token, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Unknown_and_deleted_tokens_find_nothing()
    {
        var token = await Store.CreateAsync(ConsoleSessionKind.Vendor, "acc_test", "hash", TestContext.Current.CancellationToken);
        Assert.Null(await Store.FindAsync(token + "x", TestContext.Current.CancellationToken));
        Assert.Null(await Store.FindAsync(null, TestContext.Current.CancellationToken));
        await Store.DeleteAsync(token, TestContext.Current.CancellationToken);
        Assert.Null(await Store.FindAsync(token, TestContext.Current.CancellationToken));
    }
}
