using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// App variables and security lists (docs/developer-api.md §4.2). Reads need <c>read:apps</c>, changes
/// <c>write:apps</c>. The rules are in <see cref="AppSettingsService"/>, shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}"), Produces("application/json")]
public sealed class AppSettingsController(AppSettingsService settings) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>The app variables as one flat object.</summary>
    [HttpGet("variables", Name = "getAppVariables"), RequireScope(DeveloperScopes.ReadApps)]
    public async Task<IActionResult> GetVariables(string appId) => VariablesJson.Result(await settings.GetVariablesAsync(Caller, appId));

    /// <summary>Replaces the app variables with the flat object in the body (<c>{}</c> removes them all).</summary>
    [HttpPut("variables", Name = "replaceAppVariables"), RequireScope(DeveloperScopes.WriteApps)]
    public async Task<IActionResult> PutVariables(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] JsonElement body) =>
        VariablesJson.Result(await settings.SetVariablesAsync(Caller, appId, body));

    /// <summary>The four security lists.</summary>
    [HttpGet("security", Name = "getAppSecurity"), RequireScope(DeveloperScopes.ReadApps)]
    public Task<SecurityListsResponse> GetSecurity(string appId) => settings.GetSecurityAsync(Caller, appId);

    /// <summary>Replaces the lists the body names (each an array of strings); the others stay.</summary>
    [HttpPut("security", Name = "replaceAppSecurity"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<SecurityListsResponse> PutSecurity(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReplaceSecurityRequest? body) =>
        settings.ReplaceSecurityAsync(Caller, appId, body);

    /// <summary>Adds one entry to the HWID or IP block list; an entry already there changes nothing.</summary>
    [HttpPost("security/blacklist", Name = "addBlacklistEntry"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<SecurityListsResponse> AddToBlacklist(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] SecurityEntryRequest? body) =>
        settings.EditSecurityAsync(Caller, appId, body, whitelist: false, add: true);

    /// <summary>Removes one entry from the HWID or IP block list; an entry not there is a 404.</summary>
    [HttpDelete("security/blacklist", Name = "removeBlacklistEntry"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<SecurityListsResponse> RemoveFromBlacklist(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] SecurityEntryRequest? body) =>
        settings.EditSecurityAsync(Caller, appId, body, whitelist: false, add: false);

    /// <summary>Adds one entry to the HWID or IP allow list; an entry already there changes nothing.</summary>
    [HttpPost("security/whitelist", Name = "addWhitelistEntry"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<SecurityListsResponse> AddToWhitelist(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] SecurityEntryRequest? body) =>
        settings.EditSecurityAsync(Caller, appId, body, whitelist: true, add: true);

    /// <summary>Removes one entry from the HWID or IP allow list; an entry not there is a 404.</summary>
    [HttpDelete("security/whitelist", Name = "removeWhitelistEntry"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<SecurityListsResponse> RemoveFromWhitelist(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] SecurityEntryRequest? body) =>
        settings.EditSecurityAsync(Caller, appId, body, whitelist: true, add: false);
}
