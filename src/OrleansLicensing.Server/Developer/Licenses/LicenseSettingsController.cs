using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>
/// License variables (docs/developer-api.md §4.3), with the rules of app variables. Reading needs
/// <c>read:licenses</c>, replacing <c>write:licenses</c>. The next validate or heartbeat payload
/// carries the new variables.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/licenses/{licenseKey}"), Produces("application/json")]
public sealed class LicenseSettingsController(IGrainFactory grains) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>The license variables as one flat object.</summary>
    [HttpGet("variables", Name = "getLicenseVariables"), RequireScope(DeveloperScopes.ReadLicenses)]
    public async Task<IActionResult> GetVariables(string licenseKey) =>
        VariablesJson.Result((await grains.FindLicense(Caller, licenseKey)).Variables);

    /// <summary>Replaces the license variables with the flat object in the body (<c>{}</c> removes them all).</summary>
    [HttpPut("variables", Name = "replaceLicenseVariables"), RequireScope(DeveloperScopes.WriteLicenses)]
    public async Task<IActionResult> PutVariables(string licenseKey, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Undefined) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var variables = VariablesJson.Parse(body, "body", details);
        if (variables is null) throw ApiException.BadRequest([.. details]);

        var license = await grains.FindLicense(Caller, licenseKey);
        // The grain's update action replaces the variables as a whole, in one durable change.
        var changed = await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey))
            .Change(new LicenseChange(LicenseAction.Update, Variables: variables))
            ?? throw ApiException.NotFound($"License {license.LicenseKey} not found");
        return VariablesJson.Result(changed.Variables);
    }
}
