using System.Net;
using OrleansLicensing.Sdk.given;
using static OrleansLicensing.Sdk.given.TamperingProxy;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>Retries of docs/protocol.md §17.5 through real HTTP: delays, Retry-After, fresh nonces, limits.</summary>
[Collection(SdkServerCollection.Name)]
public sealed class RetryTests(SdkServer server) : SdkSpec(server)
{
    private const string Validate = "/auth/validate";

    [Fact]
    public async Task Transient_failures_back_off_about_1_2_and_4_seconds_each_attempt_with_a_fresh_nonce()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, (_, _) => Task.FromResult(Respond(HttpStatusCode.OK, """{"status":"failed","error":"system_error"}""")));

        var result = await Client(app).ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.SystemError, 4), (result.Code, Proxy.Count(Validate)));
        var waits = Time.RequestedWaits.ToArray();
        Assert.Equal(3, waits.Length);
        Assert.InRange(waits[0], TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1200));
        Assert.InRange(waits[1], TimeSpan.FromMilliseconds(1600), TimeSpan.FromMilliseconds(2400));
        Assert.InRange(waits[2], TimeSpan.FromMilliseconds(3200), TimeSpan.FromMilliseconds(4800));
        var nonces = Proxy.Attempts.Select(a => a.Nonce!).ToList();
        Assert.Equal(4, nonces.Distinct().Count());
        Assert.All(nonces, n => Assert.Matches("^[0-9a-f]{32}$", n));
    }

    [Fact]
    public async Task A_transient_failure_then_success_returns_the_session()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, async (attempt, forward) => attempt.Number switch
        {
            1 => throw new HttpRequestException("reset"),
            2 => Respond(HttpStatusCode.TooManyRequests, """{"status":"failed","error":"rate_limited"}""", retryAfterSeconds: 2),
            _ => await forward(),
        });
        var client = Client(app);

        await LoginOk(client, key);

        Assert.Equal(3, Proxy.Count(Validate));
        Assert.True(Time.RequestedWaits.ToArray()[1] >= TimeSpan.FromSeconds(2));
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_ends_retrying_at_once()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, (_, _) => Task.FromResult(Respond(HttpStatusCode.OK, """{"status":"failed","error":"rate_limited"}""", retryAfterSeconds: 120)));

        var result = await Client(app).ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.RateLimited, 1), (result.Code, Proxy.Count(Validate)));
        Assert.Equal(TimeSpan.FromSeconds(120), result.Error!.RetryAfter);
        Assert.Empty(Time.RequestedWaits);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(10, 11)]
    public async Task MaxRetries_bounds_the_attempts(int maxRetries, int attempts)
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, (_, _) => throw new HttpRequestException("unreachable"));

        // U = 0.8 keeps every capped delay (1.6 s) within the 2 s cap, so only MaxRetries ends the call.
        var result = await Client(app, o => { o.MaxRetries = maxRetries; o.RetryMaxDelay = TimeSpan.FromSeconds(2); o.RetryJitter = () => 0.0; }).ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.NetworkError, attempts, attempts), (result.Code, result.Error!.Attempts, Proxy.Count(Validate)));
    }

    [Fact]
    public async Task Delays_double_to_RetryMaxDelay_and_stay_there_while_the_jitter_keeps_them_within_it()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, (_, _) => throw new HttpRequestException("unreachable"));

        var result = await Client(app, o => { o.MaxRetries = 6; o.RetryMaxDelay = TimeSpan.FromSeconds(4); o.RetryJitter = () => 0.5; }).ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.NetworkError, 7), (result.Code, Proxy.Count(Validate)));
        Assert.Equal([1, 2, 4, 4, 4, 4], Time.RequestedWaits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public async Task Jitter_that_lifts_a_capped_delay_beyond_RetryMaxDelay_ends_retrying_as_the_spec_says()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On(Validate, (_, _) => Task.FromResult(Respond(HttpStatusCode.OK, """{"status":"failed","error":"system_error"}""")));

        // U = 1.2: 1 s × 1.2 waits; then min(2 s, 2 s) × 1.2 = 2.4 s > RetryMaxDelay, so the second failure is final.
        var result = await Client(app, o => { o.MaxRetries = 10; o.RetryMaxDelay = TimeSpan.FromSeconds(2); o.RetryJitter = () => 1.0; }).ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.SystemError, 2, 2), (result.Code, result.Error!.Attempts, Proxy.Count(Validate)));
        Assert.Equal([TimeSpan.FromMilliseconds(1200)], Time.RequestedWaits);
    }

    [Fact]
    public async Task Cancellation_stops_a_call_between_attempts()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        Proxy.On(Validate, (attempt, _) =>
        {
            if (attempt.Number == 2) cancel.Cancel();
            throw new HttpRequestException("unreachable");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(app).LoginAsync(key, cancel.Token));

        Assert.Equal(2, Proxy.Count(Validate));
        Assert.Empty(Failures);
    }
}
