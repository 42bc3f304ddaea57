using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.given;

/// <summary>One embedded-default server (real SQLite file, real HTTP) shared by a collection.</summary>
public sealed class SqliteServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("server");

    public LicensingTestHost Host { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    public async ValueTask InitializeAsync() => Host = await LicensingTestHost.StartAsync(LicensingTestHost.SqliteSettings(_data.Path));

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SqliteServerCollection : ICollectionFixture<SqliteServer>
{
    public const string Name = "embedded server";
}

/// <summary>Helpers for reading JSON responses in tests.</summary>
public static class Json
{
    public static async Task<JsonElement> Body(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>());

    public static StringContent Raw(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Asserts the documented error shape and returns its details.</summary>
    public static async Task<string[]> AssertError(this HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        Assert.DoesNotContain("   at ", text); // never a stack trace
        return body.TryGetProperty("details", out var details) ? [.. details.EnumerateArray().Select(d => d.GetString()!)] : [];
    }
}
