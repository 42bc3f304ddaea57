using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>The SSRF guard with the default <c>Licensing:Webhooks:AllowPrivateTargets=false</c> (the shared server).</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class WebhookTargetTests(SqliteServer server)
{
    [Theory]
    [InlineData("http://1.1.1.1/hook", "url: must be https://")]
    [InlineData("https://127.0.0.1/hook", "url: must not target a private, loopback or link-local address (127.0.0.1)")]
    [InlineData("https://127.1.2.3:8443/hook", "url: must not target a private")]
    [InlineData("https://2130706433/hook", "url: must not target a private")]
    [InlineData("https://10.0.0.1/hook", "url: must not target a private, loopback or link-local address (10.0.0.1)")]
    [InlineData("https://172.16.5.4/", "url: must not target a private")]
    [InlineData("https://192.168.1.1/", "url: must not target a private")]
    [InlineData("https://169.254.169.254/latest/meta-data", "url: must not target a private")]
    [InlineData("https://100.64.0.1/", "url: must not target a private")]
    [InlineData("https://0.0.0.0/", "url: must not target a private")]
    [InlineData("https://224.0.0.1/", "url: must not target a private")]
    [InlineData("https://[::1]/hook", "url: must not target a private, loopback or link-local address (::1)")]
    [InlineData("https://[::]/", "url: must not target a private")]
    [InlineData("https://[::ffff:127.0.0.1]/", "url: must not target a private")]
    [InlineData("https://[::ffff:10.0.0.1]/", "url: must not target a private")]
    [InlineData("https://[fd12:3456::1]/", "url: must not target a private")]
    [InlineData("https://[fe80::1]/", "url: must not target a private")]
    [InlineData("https://localhost/hook", "url: must not target localhost")]
    [InlineData("https://LOCALHOST:8443/hook", "url: must not target localhost")]
    [InlineData("https://api.localhost/hook", "url: must not target localhost")]
    [InlineData("https://localhost./hook", "url: must not target localhost")]
    [InlineData("https://API.LOCALHOST./hook", "url: must not target localhost")]
    public async Task A_url_that_is_not_https_or_targets_a_private_network_is_refused(string url, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var existing = await account.Client.CreateWebhook(appId, "https://1.1.1.1/hook");
        var path = $"/v1/apps/{appId}/webhooks/{existing.Id("webhookId")}";

        using var created = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url, events = new[] { WebhookEvents.LicenseRevoked } }, cancellationToken: TestContext.Current.CancellationToken);
        using var updated = await account.Client.PutAsJsonAsync(path, new { url }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(await created.AssertError(400, "bad_request"), d => d.StartsWith(detail, StringComparison.Ordinal));
        Assert.Contains(await updated.AssertError(400, "bad_request"), d => d.StartsWith(detail, StringComparison.Ordinal));
        var listed = (await account.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks");
        Assert.Equal(["https://1.1.1.1/hook"], listed.EnumerateArray().Select(w => w.Id("url")));
    }

    [Fact]
    public async Task A_public_https_url_is_accepted()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "https://[2606:4700:4700::1111]:8443/h?x=1", events = new[] { "test.ping" } }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

/// <summary>The address check itself, and its second run for every connection (DNS rebinding).</summary>
public sealed class WebhookTargetPolicyTests
{
    /// <summary>The sender's instruments, on a meter of their own (nothing listens).</summary>
    private static readonly OrleansLicensing.Diagnostics.LicensingMetrics Metrics = new(
        new ServiceCollection().AddMetrics().BuildServiceProvider()
            .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    [Theory]
    [InlineData("1.1.1.1", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.0", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.0", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("::ffff:1.1.1.1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("100.64.0.0", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("172.16.0.0", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.0.1", false)]
    [InlineData("224.0.0.251", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fdff:ffff::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:192.168.1.1", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("64:ff9b::10.0.0.1", false)]
    [InlineData("64:ff9b::1.1.1.1", true)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("2002:0101:0101::", true)]
    public void Only_public_unicast_addresses_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookTargetPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_that_resolved_publicly_at_registration_and_privately_at_delivery_is_never_connected_to()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answers = new Queue<IPAddress>([IPAddress.Parse("1.1.1.1"), IPAddress.Loopback]);
        var policy = new WebhookTargetPolicy(new WebhookDeliveryOptions(), (_, _) => Task.FromResult(new[] { answers.Dequeue() }));
        using var sender = new WebhookSender(policy, new WebhookDeliveryOptions(), TimeProvider.System, Metrics);
        var url = $"https://hooks.rebind.example:{port}/in";

        var atRegistration = await policy.CheckForRegistrationAsync(url, CancellationToken.None);
        var atDelivery = await sender.SendAsync(new WebhookMessage(url, "whsec_x", "evt_1", "test.ping", DateTimeOffset.UtcNow, "{}"), TestContext.Current.CancellationToken);

        Assert.Null(atRegistration);
        Assert.Equal((false, (int?)null), (atDelivery.Delivered, atDelivery.StatusCode));
        Assert.Contains("target address 127.0.0.1 is not public", atDelivery.Error);
        Assert.False(listener.Pending(), "no connection reached the private address");
    }

    [Fact]
    public async Task With_private_targets_allowed_the_same_name_is_delivered_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var options = new WebhookDeliveryOptions { AllowPrivateTargets = true };
        var policy = new WebhookTargetPolicy(options, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var sender = new WebhookSender(policy, options, TimeProvider.System, Metrics);

        var result = await sender.SendAsync(new WebhookMessage($"http://hooks.rebind.example:{receiver.Port}/in", "whsec_x", "evt_1", "test.ping", DateTimeOffset.UtcNow, "{}"), TestContext.Current.CancellationToken);

        Assert.Equal((true, (int?)200), (result.Delivered, result.StatusCode));
        Assert.Equal("evt_1", Assert.Single(receiver.Received).Id);
    }

    [Fact]
    public async Task An_http_url_is_refused_at_delivery_when_private_targets_are_no_longer_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var options = new WebhookDeliveryOptions();
        using var sender = new WebhookSender(new WebhookTargetPolicy(options), options, TimeProvider.System, Metrics);

        var result = await sender.SendAsync(new WebhookMessage(receiver.Url(), "whsec_x", "evt_1", "test.ping", DateTimeOffset.UtcNow, "{}"), TestContext.Current.CancellationToken);

        Assert.False(result.Delivered);
        Assert.StartsWith("url must be https://", result.Error);
        Assert.Empty(receiver.Received);
    }
}

/// <summary><c>Licensing:Webhooks:*</c> settings.</summary>
public sealed class WebhookSettingsTests
{
    private static LicensingSettings Load(params (string Key, string Value)[] values) =>
        LicensingSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = Load().Licensing.Webhooks.ToDeliveryOptions();

        Assert.False(options.AllowPrivateTargets);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromHours(6), 12, TimeSpan.FromSeconds(10)),
            (options.RetryBaseDelay, options.MaxRetryDelay, options.MaxAttempts, options.Timeout));
    }

    [Fact]
    public void Backoff_doubles_from_the_base_delay_is_capped_at_six_hours_and_stops_after_the_last_attempt()
    {
        var now = DateTimeOffset.UnixEpoch;
        var options = new WebhookDeliveryOptions { MaxAttempts = 20 };

        Assert.Equal(now.AddSeconds(10), options.NextAttemptAfter(1, now));
        Assert.Equal(now.AddSeconds(20), options.NextAttemptAfter(2, now));
        Assert.Equal(now.AddSeconds(10 * 1024), options.NextAttemptAfter(11, now));
        Assert.Equal(now.AddHours(6), options.NextAttemptAfter(19, now));
        Assert.Null(options.NextAttemptAfter(20, now));
        Assert.Null(new WebhookDeliveryOptions().NextAttemptAfter(12, now));
    }

    [Theory]
    [InlineData("Licensing:Webhooks:RetryBaseDelay", "00:00:00")]
    [InlineData("Licensing:Webhooks:RetryBaseDelay", "1.00:00:00")]
    [InlineData("Licensing:Webhooks:RetryBaseDelay", "soon")]
    [InlineData("Licensing:Webhooks:MaxAttempts", "0")]
    [InlineData("Licensing:Webhooks:Timeout", "-00:00:01")]
    [InlineData("Licensing:Webhooks:SweepInterval", "00:00:00")]
    public void An_invalid_value_is_refused_with_a_message_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<LicensingConfigurationException>(() => Load((key, value)));

        Assert.Contains(key, error.Message);
    }
}
