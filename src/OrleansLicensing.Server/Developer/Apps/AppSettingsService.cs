using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// App variables and security lists (docs/developer-api.md §4.2) for one caller. Every change is made by
/// the app grain in one step, so concurrent changes never overwrite each other, and the next
/// <c>/auth/*</c> request sees it. <c>/v1/apps/{appId}/variables|security</c> and the web console both call it.
/// </summary>
public sealed class AppSettingsService(IGrainFactory grains)
{
    /// <summary>The app variables.</summary>
    public async Task<IReadOnlyList<Variable>> GetVariablesAsync(ApiCaller caller, string appId) => (await grains.FindApp(caller, appId)).Variables;

    /// <summary>Replaces the app variables with the flat object <paramref name="body"/> (<c>{}</c> removes them all).</summary>
    public async Task<IReadOnlyList<Variable>> SetVariablesAsync(ApiCaller caller, string appId, JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Undefined) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var variables = VariablesJson.Parse(body, "body", details);
        if (variables is null) throw ApiException.BadRequest([.. details]);

        await grains.FindApp(caller, appId);
        var app = await App(appId).SetVariables(variables) ?? throw AppGone(appId);
        return app.Variables;
    }

    /// <summary>The four security lists.</summary>
    public async Task<SecurityListsResponse> GetSecurityAsync(ApiCaller caller, string appId) =>
        SecurityListsResponse.From((await grains.FindApp(caller, appId)).Security);

    /// <summary>Replaces the lists the body names (each an array of strings); the others stay.</summary>
    public async Task<SecurityListsResponse> ReplaceSecurityAsync(ApiCaller caller, string appId, ReplaceSecurityRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var named = new SecurityLists(
            Strings(body.IpBlacklist, "ipBlacklist", details) ?? [],
            Strings(body.IpWhitelist, "ipWhitelist", details) ?? [],
            Strings(body.HwidBlacklist, "hwidBlacklist", details) ?? [],
            Strings(body.HwidWhitelist, "hwidWhitelist", details) ?? []);
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);
        // Unnamed lists are checked as empty here; only the named ones are used below.
        if (!SecurityListRules.TryNormalize(named, out var normalized, out var problems)) throw ApiException.BadRequest([.. problems]);

        await grains.FindApp(caller, appId);
        var app = await App(appId).ReplaceSecurityLists(new SecurityListsReplacement(
            body.IpBlacklist.IsSet ? normalized.IpBlacklist : null,
            body.IpWhitelist.IsSet ? normalized.IpWhitelist : null,
            body.HwidBlacklist.IsSet ? normalized.HwidBlacklist : null,
            body.HwidWhitelist.IsSet ? normalized.HwidWhitelist : null)) ?? throw AppGone(appId);
        return SecurityListsResponse.From(app.Security);
    }

    /// <summary>
    /// Adds one entry to (or removes one from) the HWID or IP block or allow list. Adding an entry
    /// already there changes nothing; removing one not there is a 404.
    /// </summary>
    public async Task<SecurityListsResponse> EditSecurityAsync(ApiCaller caller, string appId, SecurityEntryRequest? body, bool whitelist, bool add)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        if (body.Type is null) details.Add("type: required (hwid or ip)");
        string? entry = null;
        if (body.Value is null) details.Add("value: required");
        else if (body.Type == SecurityEntryType.Ip && !IpRules.TryCanonicalize(body.Value, out entry)) details.Add("value: must be an IP address or CIDR range");
        else if (body.Type == SecurityEntryType.Hwid && !SecurityListRules.TryNormalizeHwid(body.Value, out entry, out var problem)) details.Add($"value: {problem}");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var list = (body.Type, whitelist) switch
        {
            (SecurityEntryType.Ip, false) => SecurityListName.IpBlacklist,
            (SecurityEntryType.Ip, true) => SecurityListName.IpWhitelist,
            (_, false) => SecurityListName.HwidBlacklist,
            _ => SecurityListName.HwidWhitelist,
        };
        await grains.FindApp(caller, appId);
        var app = App(appId);
        var edit = add ? await app.AddSecurityEntry(list, entry!) : await app.RemoveSecurityEntry(list, entry!);
        return edit.Status switch
        {
            SecurityListEditStatus.Changed or SecurityListEditStatus.AlreadyListed => SecurityListsResponse.From(edit.Lists!),
            SecurityListEditStatus.NotListed => throw ApiException.NotFound($"{entry} is not on the {WireName(list)} list"),
            SecurityListEditStatus.Full => throw ApiException.BadRequest($"value: the {WireName(list)} list is full (max {SecurityLists.MaxEntries} entries)"),
            _ => throw AppGone(appId),
        };
    }

    /// <summary>
    /// A named list must be an array of strings; problems are added to <paramref name="details"/>.
    /// Absent: <c>null</c>. Entries are checked afterwards by <see cref="SecurityListRules.TryNormalize"/>.
    /// </summary>
    private static string[]? Strings(Optional<JsonElement> member, string name, List<string> details)
    {
        if (!member.IsSet) return null;
        if (member.Value.ValueKind != JsonValueKind.Array)
        {
            details.Add($"{name}: must be an array of strings ([] empties the list)");
            return null;
        }
        var entries = new string[member.Value.GetArrayLength()];
        var i = 0;
        foreach (var item in member.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                details.Add($"{name}[{i}]: must be a string");
            }
            else
            {
                try { entries[i] = item.GetString()!; }
                catch (InvalidOperationException) { details.Add($"{name}[{i}]: must be valid UTF-16 (no unpaired surrogates)"); }
            }
            i++;
        }
        return entries;
    }

    private static string WireName(SecurityListName list) => JsonNamingPolicy.CamelCase.ConvertName(list.ToString());

    private IAppGrain App(string appId) => grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId));

    // Deleted between the ownership check and the change.
    private static ApiException AppGone(string appId) => ApiException.NotFound($"App {appId} not found");
}
