using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.WebConsole.given;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>The console's protections, over real HTTP on a real SQLite server: CSRF, escaping, tenant isolation, one-time secrets, cookies.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class ConsoleSecurityTests(SqliteServer server)
{
    private Testing.LicensingTestHost Host => server.Host;

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        using var account = await Host.NewAccount("Csrf Victim");
        var app = await account.Client.CreateApp();
        var key = (await account.Client.CreateLicense(app.Id("appId"))).Id("licenseKey");
        using var victim = new ConsoleClient(Host.BaseAddress);
        await victim.SignInAsync(account.ApiKey);

        // A forged form carries the victim's cookies (as a cross-site post would, were they not SameSite) but no token.
        var (status, body, _) = await victim.PostFormAsync($"/console/licenses/{key}?handler=Revoke", [], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Form refused", body);

        // A token from another browser does not fit this one's anti-forgery cookie either.
        using var attacker = new ConsoleClient(Host.BaseAddress);
        await attacker.GetAsync("/console/sign-in");
        var foreign = await victim.PostFormAsync($"/console/licenses/{key}?handler=Revoke", [new("__csrf", attacker.FormToken!)], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.Status);

        // Sign-in itself needs the token (no login CSRF).
        using var fresh = new ConsoleClient(Host.BaseAddress);
        var signIn = await fresh.PostFormAsync("/console/sign-in?handler=Vendor", [new("apiKey", account.ApiKey)], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, signIn.Status);
        Assert.DoesNotContain("__Host-console-session", fresh.Cookies.Keys);

        var license = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("active", license.GetProperty("status").GetString());

        // With the token, the same form works.
        await victim.GetAsync($"/console/licenses/{key}");
        var revoked = await victim.PostFormAsync($"/console/licenses/{key}?handler=Revoke", []);
        Assert.Equal(HttpStatusCode.Redirect, revoked.Status);
        license = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("revoked", license.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Labels_and_variables_are_shown_escaped()
    {
        const string label = "<script>alert('label')</script>";
        using var account = await Host.NewAccount("<b>Bold</b> Vendor");
        var app = await account.Client.CreateApp(new { name = "<img src=x onerror=alert(1)>" });
        using var response = await account.Client.PostAsJsonAsync("/v1/licenses", new
        {
            appId = app.Id("appId"),
            label,
            variables = new Dictionary<string, object> { ["<i>name</i>"] = "\"><script>alert('var')</script>" },
        }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken: TestContext.Current.CancellationToken)).GetProperty("licenses")[0].Id("licenseKey");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);

        var (_, licensePage, _) = await console.GetAsync($"/console/licenses/{key}");
        var (_, listPage, _) = await console.GetAsync($"/console/licenses?appId={app.Id("appId")}");
        var (_, appsPage, _) = await console.GetAsync("/console/apps");

        foreach (var html in new[] { licensePage, listPage, appsPage })
        {
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("<img src=x", html);
            Assert.DoesNotContain("<b>Bold</b>", html);
            Assert.DoesNotContain("<i>name</i>", html);
        }
        Assert.Contains("&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;", licensePage);
        Assert.Contains("&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;", listPage);
        Assert.Contains("&lt;i&gt;name&lt;/i&gt;", licensePage);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", appsPage);
    }

    [Fact]
    public async Task One_account_never_sees_another_accounts_licenses_or_apps()
    {
        using var owner = await Host.NewAccount("Owner");
        var app = await owner.Client.CreateApp(new { name = "Owner's secret project" });
        var key = (await owner.Client.CreateLicense(app.Id("appId"))).Id("licenseKey");
        await owner.Client.PutAsJsonAsync($"/v1/licenses/{key}", new { action = "update", label = "owner-only label" }, cancellationToken: TestContext.Current.CancellationToken);
        using var other = await Host.NewAccount("Other");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(other.ApiKey);

        var license = await console.GetAsync($"/console/licenses/{key}");
        Assert.Equal(HttpStatusCode.Forbidden, license.Status);
        Assert.Contains($"License {key} belongs to another account", license.Body);
        Assert.DoesNotContain("owner-only label", license.Body);

        var list = await console.GetAsync($"/console/licenses?appId={app.Id("appId")}");
        Assert.Equal(HttpStatusCode.Forbidden, list.Status);
        Assert.DoesNotContain(key, list.Body);
        var search = await console.GetAsync($"/console/licenses?key={key}");
        Assert.Equal(HttpStatusCode.Forbidden, search.Status);

        var apps = await console.GetAsync("/console/apps");
        Assert.DoesNotContain("secret project", apps.Body);

        // Changing it is refused the same way, and nothing changes.
        await console.GetAsync("/console/licenses");
        var revoke = await console.PostFormAsync($"/console/licenses/{key}?handler=Revoke", []);
        Assert.Equal(HttpStatusCode.Forbidden, revoke.Status);
        Assert.Equal("active", (await owner.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}", cancellationToken: TestContext.Current.CancellationToken)).GetProperty("status").GetString());

        // A vendor session does not open the operator's pages.
        var operatorPage = await console.GetAsync("/console/operator");
        Assert.Equal(HttpStatusCode.Redirect, operatorPage.Status);
        Assert.StartsWith("/console/sign-in", operatorPage.Response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_app_secret_is_shown_once_and_the_session_stores_no_key()
    {
        using var account = await Host.NewAccount("Once Only");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);
        await console.GetAsync("/console/apps");

        var (status, created, _) = await console.PostFormAsync("/console/apps", [new("name", "Shown once"), new("signingScheme", "ed25519")]);
        Assert.Equal(HttpStatusCode.OK, status);
        var secret = System.Text.RegularExpressions.Regex.Match(created, "<output id=\"app-secret\">([^<]+)</output>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(secret));
        Assert.True((await console.GetAsync("/console/apps")).Response.Headers.CacheControl!.NoStore);

        var (_, later, _) = await console.GetAsync("/console/apps");
        Assert.Contains("Shown once", later);
        Assert.DoesNotContain(secret, later);

        // The cookie: Secure, HttpOnly, SameSite=Strict, and not the API key.
        var cookie = console.SetCookieHeaders.Single(h => h.StartsWith("__Host-console-session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(account.ApiKey, string.Join("\n", console.SetCookieHeaders));

        // The sessions table holds hashes only: neither the API key nor the cookie's token.
        await using var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "licensing.db")};Mode=ReadOnly");
        await db.OpenAsync(TestContext.Current.CancellationToken);
        await using var read = db.CreateCommand();
        read.CommandText = "SELECT token_hash || ' ' || credential || ' ' || COALESCE(account_id, '') FROM licensing_console_sessions";
        var rows = new List<string>();
        await using (var reader = await read.ExecuteReaderAsync(TestContext.Current.CancellationToken)) while (await reader.ReadAsync(TestContext.Current.CancellationToken)) rows.Add(reader.GetString(0));
        Assert.Contains(rows, r => r.Contains(account.AccountId));
        Assert.DoesNotContain(rows, r => r.Contains(account.ApiKey) || r.Contains(console.Cookies["__Host-console-session"]));
    }

    [Fact]
    public async Task Sign_out_ends_the_session_on_the_server()
    {
        using var account = await Host.NewAccount("Leaver");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);
        var token = console.Cookies["__Host-console-session"];
        await console.GetAsync("/console");

        var (status, _, response) = await console.PostFormAsync("/console/sign-out", []);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/console/sign-in?ended=signed-out", response.Headers.Location!.OriginalString);

        // A copy of the old cookie opens nothing.
        using var replay = new ConsoleClient(Host.BaseAddress);
        replay.Cookies["__Host-console-session"] = token;
        var page = await replay.GetAsync("/console/licenses");
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.StartsWith("/console/sign-in", page.Response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Wrong_credentials_say_why_and_create_no_session()
    {
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.GetAsync("/console/sign-in");
        var unknown = await console.PostFormAsync("/console/sign-in?handler=Vendor", [new("apiKey", "af_live_" + new string('x', 40))]);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Contains("This API key is not known. Check that it was copied whole.", unknown.Body);
        var wrongToken = await console.PostFormAsync("/console/sign-in?handler=Operator", [new("operatorToken", "not-the-token")]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.Status);
        Assert.Contains("This is not the operator token.", wrongToken.Body);
        Assert.DoesNotContain("not-the-token", wrongToken.Body);
        Assert.DoesNotContain("__Host-console-session", console.Cookies.Keys);
    }

    [Fact]
    public async Task Plain_http_from_another_host_name_is_refused_and_the_root_redirects_to_the_console()
    {
        using var console = new ConsoleClient(Host.BaseAddress);
        var remote = await console.GetAsync("/console/sign-in", host: "licensing.example.com");
        Assert.Equal(HttpStatusCode.Forbidden, remote.Status);
        Assert.Contains("only served over HTTPS", remote.Body);

        var root = await console.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.Status);
        Assert.Equal("/console", root.Response.Headers.Location!.OriginalString);
        var css = await console.GetAsync("/console/assets/console.css");
        Assert.Equal(HttpStatusCode.OK, css.Status);
        Assert.Equal("text/css", css.Response.Content.Headers.ContentType!.MediaType);
    }
}
