using System.Net;
using System.Text.Json.Nodes;
using OrleansLicensing.Licenses;
using OrleansLicensing.Sdk.given;
using static OrleansLicensing.Sdk.given.TamperingProxy;

namespace OrleansLicensing.Sdk;

/// <summary>Heartbeat modes and their outcomes (docs/protocol.md §17.7, §17.8) against the real server.</summary>
[Collection(SdkServerCollection.Name)]
public sealed class HeartbeatTests(SdkServer server) : SdkSpec(server)
{
    private const string Heartbeat = "/auth/heartbeat";
    private const string Validate = "/auth/validate";

    private async Task<(LicensingClient Client, string Key, TestApp App)> LoggedIn(HeartbeatMode mode, SigningScheme scheme = SigningScheme.Ed25519, Action<LicensingClientOptions>? configure = null)
    {
        var app = await NewApp(scheme);
        var key = await NewLicense(app);
        var client = Client(app, o =>
        {
            o.HeartbeatMode = mode;
            configure?.Invoke(o);
        });
        await LoginOk(client, key);
        return (client, key, app);
    }

    [Theory, MemberData(nameof(Schemes))]
    public async Task Session_expired_triggers_exactly_one_re_authentication_and_the_session_goes_on(SigningScheme scheme)
    {
        var (client, key, _) = await LoggedIn(HeartbeatMode.Server, scheme);
        await Until(() => Proxy.Count(Heartbeat) >= 1, "a first heartbeat");
        var firstToken = client.SessionData!.Value.GetProperty("sessionToken").GetString();

        // Resetting the HWIDs makes the server answer session_expired (H14) until the client re-validates.
        var validatesBefore = Proxy.Count(Validate);
        var heartbeatsBefore = Proxy.Count(Heartbeat);
        await License(key).Change(new LicenseChange(LicenseAction.ResetHwid));

        await Until(() => Proxy.Count(Validate) == validatesBefore + 1 && Proxy.Count(Heartbeat) >= heartbeatsBefore + 3, "one re-authentication, then heartbeats again");
        Assert.Equal(validatesBefore + 1, Proxy.Count(Validate));
        Assert.True(client.IsAuthenticated);
        Assert.NotEqual(firstToken, client.SessionData!.Value.GetProperty("sessionToken").GetString());
        Assert.Equal(client.Hwid, (await License(key).Get())!.Hwids.Single().Hwid);
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task A_failed_re_authentication_reports_heartbeat_failed_with_the_validate_error()
    {
        var (client, key, _) = await LoggedIn(HeartbeatMode.Server);
        var validatesBefore = Proxy.Count(Validate);

        await License(key).Delete(); // heartbeat: session_expired; validate: invalid_key

        await Until(() => !Failures.IsEmpty, "OnFailure");
        await client.HeartbeatTask.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var (reason, error) = Assert.Single(Failures);
        Assert.Equal((LicensingClient.HeartbeatFailed, LicensingErrorCodes.InvalidKey), (reason, error.Code));
        Assert.Equal(validatesBefore + 1, Proxy.Count(Validate));
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task Revocation_stops_heartbeats_and_reports_heartbeat_failed_exactly_once()
    {
        var (client, key, _) = await LoggedIn(HeartbeatMode.Server);
        await Until(() => Proxy.Count(Heartbeat) >= 1, "a first heartbeat");

        await License(key).Change(new LicenseChange(LicenseAction.Revoke));

        await Until(() => !Failures.IsEmpty, "OnFailure");
        await client.HeartbeatTask.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var heartbeats = Proxy.Count(Heartbeat);
        var (reason, error) = Assert.Single(Failures);
        Assert.Equal((LicensingClient.HeartbeatFailed, LicensingErrorCodes.Revoked, false), (reason, error.Code, error.IsTransient));
        Assert.False(client.IsAuthenticated);
        Assert.Null(client.SessionExpiresAt);
        Assert.Equal(heartbeats, Proxy.Count(Heartbeat)); // the loop has ended: nothing more is sent
        Assert.Single(Failures);
    }

    [Fact]
    public async Task A_tampered_heartbeat_ends_the_session_as_a_possible_attack()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Server);
        // Counted by the handler itself: a heartbeat already in flight when it is installed is not one it tampered with.
        var tampered = 0;
        Proxy.On(Heartbeat, EditEnvelope((e, _) =>
        {
            Interlocked.Increment(ref tampered);
            var payload = Payload(e);
            payload["nonce"] = "ffffffffffffffffffffffffffffffff";
            e["payload"] = Encode(payload);
        }));

        await Until(() => !Failures.IsEmpty, "OnFailure");
        await client.HeartbeatTask.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        Assert.Equal((LicensingClient.HeartbeatFailed, LicensingErrorCodes.NonceMismatch), (Failures.Single().Reason, Failures.Single().Error.Code));
        Assert.Equal(1, Volatile.Read(ref tampered)); // never retried: the loop ended at the first tampered answer
    }

    [Fact]
    public async Task An_undecodable_heartbeat_answer_is_reported_like_any_unknown_failure_not_swallowed()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Server, configure: o => o.MaxRetries = 0);
        Proxy.On(Heartbeat, (_, _) => Task.FromResult(Respond(HttpStatusCode.OK, """{"status":"\ud800"}""")));

        // Before, the loop died with an InvalidOperationException: no report, and the session stayed
        // "authenticated" until its expiry with no heartbeat and no re-authentication.
        await Until(() => Failures.Count == 1, "the failure reported");
        Assert.Equal((LicensingClient.HeartbeatFailed, LicensingErrorCodes.UnknownError), (Failures.Single().Reason, Failures.Single().Error.Code));
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task Transient_heartbeat_failures_keep_the_session_until_its_expiry_then_re_authenticate_once()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Server, configure: o => o.MaxRetries = 1);
        Proxy.On(Heartbeat, (_, _) => Task.FromResult(Respond(HttpStatusCode.ServiceUnavailable, "<html>maintenance</html>", "text/html")));
        var validatesBefore = Proxy.Count(Validate);

        await Until(() => Proxy.Count(Heartbeat) >= 6, "several failed heartbeats");
        Assert.True(client.IsAuthenticated);
        Assert.Empty(Failures);
        Assert.Equal(validatesBefore, Proxy.Count(Validate));

        var expiry = client.SessionExpiresAt!.Value;
        var shift = expiry - Time.GetUtcNow() + TimeSpan.FromSeconds(1);
        var heartbeatsAtReauth = 0;
        Proxy.On(Validate, async (_, forward) =>
        {
            // The server's clock did not move: bring the client's back once the re-authentication is under way.
            var response = await forward();
            Time.Advance(-shift);
            heartbeatsAtReauth = Proxy.Count(Heartbeat);
            return response;
        });
        Time.Advance(shift);

        await Until(() => heartbeatsAtReauth > 0 && Proxy.Count(Heartbeat) >= heartbeatsAtReauth + 3, "a re-authentication, then further heartbeats");
        Assert.Equal(validatesBefore + 1, Proxy.Count(Validate));
        Assert.True(client.IsAuthenticated);
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task Local_mode_needs_no_network_after_login()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Local);
        var sent = Proxy.Attempts.Count;
        Proxy.On(Validate, (_, _) => throw new HttpRequestException("network down"));
        Proxy.On(Heartbeat, (_, _) => throw new HttpRequestException("network down"));
        var waits = Time.RequestedWaits.Count;

        await Until(() => Time.RequestedWaits.Count >= waits + 5, "five local heartbeat ticks");

        Assert.True(client.IsAuthenticated);
        Assert.Equal(sent, Proxy.Attempts.Count);
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task Local_mode_re_authenticates_at_expiry_and_reports_when_that_fails()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Local, configure: o => o.MaxRetries = 1);
        Proxy.On(Validate, (_, _) => throw new HttpRequestException("network down"));

        Time.Advance(client.SessionExpiresAt!.Value - Time.GetUtcNow() + TimeSpan.FromSeconds(1));

        await Until(() => !Failures.IsEmpty, "OnFailure");
        Assert.Equal((LicensingClient.HeartbeatFailed, LicensingErrorCodes.NetworkError), (Failures.Single().Reason, Failures.Single().Error.Code));
        Assert.Equal(2, Failures.Single().Error.Attempts);
        Assert.Equal(0, Proxy.Count(Heartbeat));
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task None_mode_sends_nothing_and_the_session_simply_ends_at_its_expiry()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.None);
        Assert.True(client.IsAuthenticated);
        Assert.True(client.HeartbeatTask.IsCompleted);

        Time.Advance(client.SessionExpiresAt!.Value - Time.GetUtcNow());

        Assert.False(client.IsAuthenticated);
        Assert.Equal(0, Proxy.Count(Heartbeat));
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task A_heartbeat_answer_arriving_after_logout_is_discarded()
    {
        var (client, _, _) = await LoggedIn(HeartbeatMode.Server);
        var held = new TaskCompletionSource();
        var released = new TaskCompletionSource();
        Proxy.On(Heartbeat, async (_, forward) =>
        {
            var response = await forward();
            held.TrySetResult();
            await released.Task;
            return response;
        });
        await held.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        client.Logout();
        released.SetResult();

        await client.HeartbeatTask.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        Assert.False(client.IsAuthenticated);
        Assert.Null(client.SessionData);
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task Without_a_callback_a_heartbeat_failure_terminates_the_process_with_exit_code_1()
    {
        var (client, key, _) = await LoggedIn(HeartbeatMode.Server, configure: o => o.OnFailure = null);
        var exitCode = new TaskCompletionSource<int>();
        client.Terminate = code => exitCode.TrySetResult(code);

        await License(key).Change(new LicenseChange(LicenseAction.Revoke));

        Assert.Equal(1, await exitCode.Task.WaitAsync(TimeSpan.FromSeconds(20), Cancel));
        Assert.Contains(Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical);
    }
}
