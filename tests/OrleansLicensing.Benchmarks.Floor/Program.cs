using System.Net;
using System.Security.Cryptography;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth;
using OrleansLicensing.Server.Auth.Signing;

namespace OrleansLicensing.Benchmarks.Floor;

/// <summary>
/// The compute floor of a validate (docs/benchmarks.md, "The compute floor"): <c>POST /auth/validate</c>
/// reads the request with the product's reader, checks the app secret, issues a session token, builds
/// the payload and signs it with the product's code, and writes the envelope, with no rate limits,
/// views, auth log, metrics or storage. <c>Floor:GrainCalls</c> adds what the request path's grain
/// calls cost on their own: 0 (none), 1 (a license grain that answers at once) or 2 (that license asks
/// a reentrant account grain, which answers at once). Arguments and answers are the product's own
/// records (<see cref="LicenseValidation"/>, <see cref="LicenseVerdict"/>).
/// </summary>
/// <remarks>
/// The app is fixed: its id names the scheme (<c>floor-ed25519</c>, <c>floor-hmac-v1</c>,
/// <c>floor-hmac-v2</c>) and its secret is <c>Floor:AppSecret</c>. Started by the benchmark driver
/// (<c>tests/OrleansLicensing.Benchmarks</c>, rows "floor: …") with the same wrk script as the product.
/// </remarks>
public static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var siloPort = builder.Configuration.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", 30000);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));
        var calls = builder.Configuration.GetValue("Floor:GrainCalls", 0);
        var secret = builder.Configuration["Floor:AppSecret"] ?? "floor-secret";
        var app = builder.Build();

        var tokens = new SessionTokenCodec([Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))]);
        var keys = new ResponseSigningKeys(secret, Ed25519Signer.FromSeed(RandomNumberGenerator.GetBytes(32)));
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var time = TimeProvider.System;

        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapGet("/health/ready", () => Results.Text("Healthy"));
        // For the driver's warm-up, which goes on until the JIT is quiet (the product serves the same on /metrics).
        app.MapGet("/bench/jit-seconds", () => Results.Text(System.Runtime.JitInfo.GetCompilationTime().TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        app.MapPost("/auth/validate", async (HttpContext context) =>
        {
            var body = await AuthRequestReader.ReadBodyAsync(context.Request, context.RequestAborted);
            var request = body is { } bytes ? AuthRequestReader.ReadValidate(bytes.Span).Request : null;
            if (request is null || !SecretComparer.AreEqual(request.AppSecret, secret))
            {
                await AuthResponses.WriteFailureAsync(context.Response, AuthError.BadRequest, FailureMode.Always200);
                return;
            }
            var scheme = request.AppId switch
            {
                "floor-hmac-v1" => SigningScheme.HmacV1,
                "floor-hmac-v2" => SigningScheme.HmacV2,
                _ => SigningScheme.Ed25519,
            };
            var licenseKey = LicenseKey.Canonicalize(request.LicenseKey);
            var view = FloorLicenseGrain.View;
            if (calls > 0)
            {
                var ip = context.Connection.RemoteIpAddress ?? IPAddress.Loopback;
                var validation = new LicenseValidation(request.AppId, request.Hwid, ip.ToString(), 0, false,
                    calls > 1 ? "floor-account" : "", request.Nonce, null);
                var verdict = await grains.GetGrain<IFloorLicenseGrain>(licenseKey).Validate(validation);
                view = verdict.View!;
            }
            var now = time.GetUtcNow();
            var token = new SessionTokenBody(SessionTokenCodec.NewSid(), request.AppId, licenseKey, request.Hwid, 86400,
                now.ToUnixTimeSeconds(), now.ToUnixTimeSeconds() + 86400, scheme == SigningScheme.HmacV2 ? SessionTokenCodec.NewSigKey() : null);
            var payload = new AuthPayload(tokens.Issue(token), token.Exp, request.Nonce, now, context.TraceIdentifier, view.ExpiresAt,
                view.MaxHwidSlots, view.HwidCount, view.Label, view.UnlimitedHwidSlots, [], view.Variables);
            await SuccessEnvelope.WriteAsync(context.Response, payload, ResponseSigning.For(scheme), keys, request.Nonce, null);
        });
        await app.RunAsync();
    }
}
