using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Auth.given;

namespace OrleansLicensing.Server.Auth;

/// <summary>The silo's cache of app views and account statuses, through real requests.</summary>
[Collection(AuthServerCollection.Name)]
public sealed class AuthViewsTests(AuthServer server) : AuthSpec(server.Host)
{
    [Fact]
    public async Task App_ids_that_name_no_app_leave_nothing_cached_and_a_real_app_stays_cached()
    {
        var views = Host.Services.GetRequiredService<AuthViews>();
        var app = await NewApp();
        var key = await NewLicense(app);
        await Login(app, key, "hw-1");
        var before = views.Slots;

        // Any client can send any app id: each is looked up once and then forgotten.
        for (var i = 0; i < 40; i++)
        {
            var reply = await Post("/auth/validate", new { appId = Guid.NewGuid().ToString(), appSecret = "x", licenseKey = key, hwid = "hw-1", nonce = NewNonce() }, ip: $"203.0.113.{i + 1}");
            Assert.Contains("invalid_app", reply.Body);
        }

        Assert.Equal(before, views.Slots);
        await Login(app, key, "hw-1"); // the real app is still served (from its cached view)
        Assert.Equal(before, views.Slots);
    }
}
