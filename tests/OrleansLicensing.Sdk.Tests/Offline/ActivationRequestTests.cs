using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>Activation requests (docs/protocol.md §18.4): the generator reproduces the official vectors byte for byte.</summary>
public sealed class ActivationRequestTests
{
    private static string? Optional(JsonElement inputs, string name) =>
        inputs.TryGetProperty(name, out var value) ? value.GetString() : null;

    [Fact]
    public void Good_vector_cases_are_reproduced_byte_for_byte_from_their_inputs()
    {
        using var vectors = SpecVectors.Load("activation_request_vectors.json");
        var good = vectors.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.TryGetProperty("inputs", out _)).ToList();
        Assert.Equal(["good_minimal", "good_full"], good.Select(c => c.GetProperty("name").GetString()));

        foreach (var c in good)
        {
            var inputs = c.GetProperty("inputs");
            var created = ActivationRequest.Create(
                inputs.GetProperty("appId").GetString()!,
                inputs.GetProperty("hwid").GetString()!,
                DateTimeOffset.Parse(inputs.GetProperty("createdAt").GetString()!, CultureInfo.InvariantCulture),
                Optional(inputs, "machineName"), Optional(inputs, "os"), Optional(inputs, "sdk"), Optional(inputs, "licenseKey"));
            Assert.Equal(Encoding.UTF8.GetBytes(c.GetProperty("file").GetString()!), Encoding.UTF8.GetBytes(created));
        }
    }

    [Fact]
    public void The_client_writes_a_request_for_its_own_hwid_app_and_clock()
    {
        var now = new DateTimeOffset(2026, 12, 5, 10, 30, 15, 250, TimeSpan.Zero);
        using var client = new LicensingClient(new LicensingClientOptions
        {
            AppId = "app-123",
            AppSecret = "unused",
            PublicKeys = ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="],
            ApiBaseUrl = new Uri("http://localhost:1"),
            HwidOverride = "machine-42",
            TimeProvider = new FixedTime(now),
        });

        var text = client.CreateActivationRequest(" KEY-1 ");
        var lines = text.Split('\n');
        Assert.Equal(ActivationRequest.BeginMarker, lines[0]);
        Assert.Equal("App-Id: app-123", lines[2]);
        var body = string.Concat(lines.Skip(5).TakeWhile(l => l != ActivationRequest.EndMarker));
        Assert.Equal("Checksum: " + ActivationRequest.Checksum(body), lines[3]);
        Assert.All(lines.Skip(5).TakeWhile(l => l != ActivationRequest.EndMarker), l => Assert.True(l.Length <= 64));

        using var json = JsonDocument.Parse(Convert.FromBase64String(body));
        var root = json.RootElement;
        Assert.Equal(["v", "typ", "appId", "hwid", "createdAt", "machineName", "os", "sdk", "licenseKey"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("machine-42", root.GetProperty("hwid").GetString());
        Assert.Equal("2026-12-05T10:30:15.250Z", root.GetProperty("createdAt").GetString());
        Assert.Equal("KEY-1", root.GetProperty("licenseKey").GetString());
        Assert.StartsWith("orleanslicensing-dotnet/", root.GetProperty("sdk").GetString());
        Assert.True(root.GetProperty("os").GetString()!.Length <= ActivationRequest.MaxOsLength);
    }

    [Fact]
    public void Values_over_their_limits_are_refused()
    {
        var now = DateTimeOffset.UnixEpoch;
        Assert.Throws<ArgumentException>(() => ActivationRequest.Create("app", new string('h', 257), now));
        Assert.Throws<ArgumentException>(() => ActivationRequest.Create("app", " ", now));
        Assert.Throws<ArgumentException>(() => ActivationRequest.Create("app", "h", now, licenseKey: new string('k', 65)));
        Assert.Throws<ArgumentException>(() => ActivationRequest.Create("app", "h", now, machineName: new string('m', 129)));
    }
}
