using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Auth.given;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The request path's budget (docs/design.md, "The request path"): a validate of a bound HWID makes
/// two grain calls (the license, and the account it asks) and a non-billable heartbeat one (the
/// license, whose count goes to the silo's counter writer).
/// Counted by the server's own <c>licensing.auth.grain_calls</c> histogram, over real HTTP.
/// </summary>
[Collection(AuthServerCollection.Name)]
public sealed class GrainCallBudgetTests(AuthServer server) : AuthSpec(server.Host)
{
    [Fact]
    public async Task A_validate_of_a_bound_hwid_makes_two_grain_calls_and_a_free_heartbeat_one()
    {
        var app = await NewApp();
        var key = await NewLicense(app, slots: 1);
        var hwid = NewHwid();
        var session = await Login(app, key, hwid); // binds; the app's and the account's views are now on this silo

        using var recorder = new GrainCallRecorder(Host.Services.GetRequiredService<IMeterFactory>());
        var nonce = NewNonce();
        Verify(await Validate(app, key, hwid, nonce), app, nonce, null);
        nonce = NewNonce();
        Verify(await Heartbeat(app, session.Token, hwid, nonce), app, nonce, null); // the 1st heartbeat: not billable (every 3rd is)

        Assert.Equal([("validate", 2), ("heartbeat", 1)], await recorder.CountsOf(requests: 2));
    }

    [Fact]
    public async Task A_replayed_nonce_costs_the_same_two_calls_and_nothing_else()
    {
        var app = await NewApp();
        var key = await NewLicense(app, slots: 1);
        var hwid = NewHwid();
        var nonce = NewNonce();
        Verify(await Validate(app, key, hwid, nonce), app, nonce, null);
        var balance = await Balance(app.AccountId);

        using var recorder = new GrainCallRecorder(Host.Services.GetRequiredService<IMeterFactory>());
        AssertFailure(await Validate(app, key, hwid, nonce), "replay_detected", Apps.FailureMode.Always200, 200);

        Assert.Equal([("validate", 2)], await recorder.CountsOf(requests: 1));
        Assert.Equal(balance, await Balance(app.AccountId));
    }
}
