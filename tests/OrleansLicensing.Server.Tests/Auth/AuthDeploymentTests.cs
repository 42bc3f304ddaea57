using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

/// <summary>Rows that need a server of their own: the deployment's default failure mode, a storage fault, a path prefix.</summary>
public sealed class AuthDeploymentTests
{
    private sealed class Spec(LicensingTestHost host) : AuthSpec(host)
    {
        public Task<TestApp> App(FailureMode mode) => NewApp(mode: mode);
        public Task<string> Key(TestApp app) => NewLicense(app);
        public Task<AuthReply> Send(TestApp app, string key, string hwid) => Validate(app, key, hwid);
        public Task<AuthReply> Raw(string path, string body) => PostRaw(path, body);
        public Task<VerifiedSession> SignIn(TestApp app, string key, string hwid) => Login(app, key, hwid);
        public Task<AuthReply> Beat(TestApp app, string token, string hwid) => Heartbeat(app, token, hwid);
        public Task<AuthReply> Ban(TestApp app, string token, string hwid) => Post("/auth/selfban", new { appId = app.AppId, sessionToken = token, hwid });
        public static void Failure(AuthReply reply, string code, FailureMode mode, int status) => AssertFailure(reply, code, mode, status);
    }

    [Fact]
    public async Task Requests_naming_no_app_use_the_deployment_default_mode()
    {
        using var data = new TempDirectory("auth-semantic");
        var settings = LicensingTestHost.SqliteSettings(data.Path);
        settings["Licensing:Auth:DefaultFailureHttpStatus"] = "semantic";
        await using var host = await LicensingTestHost.StartAsync(settings);
        var spec = new Spec(host);

        var unknownApp = await spec.Raw("/auth/validate", "{\"appId\":\"x\",\"appSecret\":\"s\",\"licenseKey\":\"k\",\"hwid\":\"h\",\"nonce\":\"0123456789abcdef\"}");
        Spec.Failure(unknownApp, "invalid_app", FailureMode.Semantic, 401);

        var badBody = await spec.Raw("/auth/validate", "{\"appId\":\"x\",\"hwid\":\"h\",\"nonce\":\"abc\"}");
        Assert.Equal(400, (int)badBody.Status);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"bad_request\",\"details\":[\"appSecret: required\",\"licenseKey: required\",\"nonce: too short (min 8 characters)\"]}", badBody.Body);

        // An app's own mode wins over the default, even for a bad body.
        var app = await spec.App(FailureMode.Always200);
        var appBadBody = await spec.Raw("/auth/heartbeat", $"{{\"appId\":\"{app.AppId}\"}}");
        Assert.Equal(200, (int)appBadBody.Status);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"bad_request\",\"details\":[\"sessionToken: required\",\"nonce: required\",\"hwid: required\"]}", appBadBody.Body);

        var tooLarge = await spec.Raw("/auth/validate", "{\"pad\":\"" + new string('a', 16_400) + "\"}");
        Assert.Equal(400, (int)tooLarge.Status);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"bad_request\",\"details\":[\"body: too large (max 16384 bytes)\"]}", tooLarge.Body);
    }

    [Theory]
    [InlineData(FailureMode.Always200)]
    [InlineData(FailureMode.Semantic)]
    public async Task A_storage_fault_is_a_system_error_without_a_stack_trace_and_binds_nothing(FailureMode mode)
    {
        using var data = new TempDirectory("auth-fault");
        var settings = LicensingTestHost.SqliteSettings(data.Path);
        settings["Licensing:Auth:HeartbeatBillingInterval"] = "1"; // every heartbeat bills, so it must store its intent
        await using var host = await LicensingTestHost.StartAsync(settings);
        var spec = new Spec(host);
        var app = await spec.App(mode);
        var key = await spec.Key(app);
        var sessionKey = await spec.Key(app);
        var session = await spec.SignIn(app, sessionKey, "device");
        var database = StorageConnections.Sqlite(Path.Combine(data.Path, "licensing.db"));

        await Sql(database, "ALTER TABLE licensing_grain_state RENAME TO licensing_grain_state_away");
        var validate = await spec.Send(app, key, "new-device");
        var heartbeat = await spec.Beat(app, session.Token, "device");
        var selfBan = await spec.Ban(app, session.Token, "device");
        await Sql(database, "ALTER TABLE licensing_grain_state_away RENAME TO licensing_grain_state");

        Spec.Failure(validate, "system_error", mode, 500);
        Spec.Failure(heartbeat, "system_error", mode, 500);
        Spec.Failure(selfBan, "system_error", mode, 500);
        // What is stored: an activation whose write and re-read both failed refuses to serve its memory
        // and deactivates; the next one reads the stored state.
        var license = await Eventually.Succeeds(async () =>
            await host.Grains.GetGrain<Licenses.ILicenseGrain>(Licenses.ILicenseGrain.KeyFor(key)).Get()
            ?? throw new InvalidOperationException("the license's activation is still the broken one"), TimeSpan.FromSeconds(10));
        Assert.Empty(license.Hwids);
        var account = await Eventually.Succeeds(() => host.Grains.GetGrain<Accounts.IDeveloperAccountGrain>(app.AccountId).Get(), TimeSpan.FromSeconds(10));
        Assert.Equal(999, account!.Credits);
    }

    [Fact]
    public async Task Endpoints_move_under_the_path_prefix()
    {
        using var data = new TempDirectory("auth-prefix");
        var settings = LicensingTestHost.SqliteSettings(data.Path);
        settings["Licensing:Auth:PathPrefix"] = "/af";
        await using var host = await LicensingTestHost.StartAsync(settings);
        var spec = new Spec(host);

        var prefixed = await spec.Raw("/af/auth/validate", "{}");
        Assert.StartsWith("{\"status\":\"failed\",\"error\":\"bad_request\"", prefixed.Body);
        var unprefixed = await spec.Raw("/auth/validate", "{}");
        Assert.Equal(404, (int)unprefixed.Status);
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
