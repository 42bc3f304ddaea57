using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// Licenses of developer-api.md §4.3. Scopes: reads need <c>read:licenses</c>, create and change
/// <c>write:licenses</c>.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/licenses"), Produces("application/json")]
public sealed class LicensesController(IGrainFactory grains, TimeProvider time) : ControllerBase
{
    private const int MaxQuantity = 100;
    private const int MaxHwidSlots = 16;
    private const int MaxLabelLength = 128;
    // 80 random bits per key: a second collision in a row means something is broken, not unlucky.
    private const int KeyAttempts = 5;

    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Creates 1–100 licenses of one app, each under a new random key.</summary>
    [HttpPost, RequireScope(DeveloperScopes.WriteLicenses)]
    [ProducesResponseType<CreatedLicensesResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateLicensesRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        if (string.IsNullOrEmpty(body.AppId)) details.Add("appId: required");
        if (body.Quantity is < 1 or > MaxQuantity) details.Add($"quantity: must be an integer from 1 to {MaxQuantity}");
        if (body.MaxHwidSlots is < 1 or > MaxHwidSlots) details.Add($"maxHwidSlots: must be an integer from 1 to {MaxHwidSlots}");
        var label = ValidLabel(body.Label, details);
        var variables = body.Variables is { ValueKind: not System.Text.Json.JsonValueKind.Null } v
            ? VariablesJson.Parse(v, "variables", details)
            : Variables.None;
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var app = await grains.FindApp(Caller, body.AppId);
        var command = new CreateLicense(
            app.AppId,
            Caller.AccountId,
            ToSecond(body.ExpiresAt),
            body.MaxHwidSlots ?? 1,
            body.UnlimitedHwidSlots ?? false,
            label,
            variables!);
        var created = await Task.WhenAll(Enumerable.Range(0, body.Quantity ?? 1).Select(_ => CreateUnderNewKey(command)));
        var now = time.GetUtcNow();
        return StatusCode(StatusCodes.Status201Created, new CreatedLicensesResponse([.. created.Select(l => LicenseResponse.From(l, now))]));
    }

    /// <summary>
    /// Licenses of one app, newest first, with keyset cursor pagination and optional filters:
    /// <c>status</c> (active | revoked | expired), <c>hwid</c> (exact), <c>label</c> (prefix).
    /// </summary>
    [HttpGet, RequireScope(DeveloperScopes.ReadLicenses)]
    public async Task<LicenseListResponse> List(
        [FromServices] LicenseIndex index,
        [FromQuery] string? appId,
        [FromQuery] string? status,
        [FromQuery] string? hwid,
        [FromQuery] string? label,
        [FromQuery] string? limit,
        [FromQuery] string? cursor,
        CancellationToken cancellationToken)
    {
        var details = new List<string>();
        if (string.IsNullOrEmpty(appId)) details.Add("appId: required");
        LicenseStatusFilter? statusFilter = status switch
        {
            null or "" => null,
            "active" => LicenseStatusFilter.Active,
            "revoked" => LicenseStatusFilter.Revoked,
            "expired" => LicenseStatusFilter.Expired,
            _ => Invalid(details, "status: must be active, revoked or expired"),
        };
        if (label is { Length: > MaxLabelLength }) details.Add($"label: at most {MaxLabelLength} characters");
        if (hwid is { Length: 0 or > 256 }) details.Add("hwid: 1 to 256 characters");
        var pageSize = 0;
        long? before = null;
        try
        {
            pageSize = Pagination.Limit(limit);
            before = Pagination.Decode("lic", cursor, k => long.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out _)) is { } key
                ? long.Parse(key, CultureInfo.InvariantCulture)
                : null;
        }
        catch (ApiException error) when (error.Details is { } problems)
        {
            details.AddRange(problems);
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var app = await grains.FindApp(Caller, appId);
        var now = time.GetUtcNow();
        var (licenses, next) = await index.ListAsync(new LicenseQuery(app.AppId, statusFilter, hwid, label, before, pageSize), now, cancellationToken);
        return new LicenseListResponse(
            [.. licenses.Select(l => LicenseResponse.From(l, now))],
            next is { } position ? Pagination.Encode("lic", position.ToString(CultureInfo.InvariantCulture)) : null);
    }

    private static LicenseStatusFilter? Invalid(List<string> details, string problem)
    {
        details.Add(problem);
        return null;
    }

    /// <summary>The license; the key in the URL is canonicalized (trimmed, ASCII upper case).</summary>
    [HttpGet("{licenseKey}"), RequireScope(DeveloperScopes.ReadLicenses)]
    public async Task<LicenseResponse> Get(string licenseKey) =>
        LicenseResponse.From(await grains.FindLicense(Caller, licenseKey), time.GetUtcNow());

    /// <summary>Revoke, activate, extend, reset-hwid or update a license.</summary>
    [HttpPut("{licenseKey}"), RequireScope(DeveloperScopes.WriteLicenses)]
    public async Task<LicenseResponse> Change(string licenseKey, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateLicenseRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var change = ValidChange(body);

        var license = await grains.FindLicense(Caller, licenseKey);
        var changed = await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey)).Change(change)
            ?? throw ApiException.NotFound($"License {license.LicenseKey} not found");
        return LicenseResponse.From(changed, time.GetUtcNow());
    }

    /// <summary>Alias of <c>PUT</c> with <c>{"action":"reset-hwid"}</c>: empties the HWID list; same answer.</summary>
    [HttpPost("{licenseKey}/hwid/reset"), RequireScope(DeveloperScopes.WriteLicenses)]
    public Task<LicenseResponse> ResetHwid(string licenseKey) =>
        Change(licenseKey, new UpdateLicenseRequest(LicenseAction.ResetHwid, default, null, null, default, default));

    /// <summary>Deletes the license: validate answers <c>invalid_key</c> from now on; the key is never reused. 204.</summary>
    [HttpDelete("{licenseKey}"), RequireScope(DeveloperScopes.WriteLicenses)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string licenseKey)
    {
        var license = await grains.FindLicense(Caller, licenseKey);
        if (!await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey)).Delete())
        {
            throw ApiException.NotFound($"License {license.LicenseKey} not found");
        }
        return NoContent();
    }

    private async Task<LicenseSnapshot> CreateUnderNewKey(CreateLicense command)
    {
        for (var attempt = 0; attempt < KeyAttempts; attempt++)
        {
            var key = LicenseKey.Generate();
            // null: the key was used before (keys are never reused); draw another.
            if (await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key)).Create(command) is { } license) return license;
        }
        throw new InvalidOperationException($"{KeyAttempts} generated license keys in a row were taken");
    }

    private static LicenseChange ValidChange(UpdateLicenseRequest body)
    {
        var details = new List<string>();
        if (body.Action is not { } action)
        {
            throw ApiException.BadRequest("action: required (revoke, activate, extend, reset-hwid or update)");
        }

        // Members an action does not use are refused rather than silently dropped.
        var allowed = action switch
        {
            LicenseAction.Extend => new[] { "expiresAt" },
            LicenseAction.Update => ["expiresAt", "maxHwidSlots", "unlimitedHwidSlots", "label", "variables"],
            _ => [],
        };
        foreach (var (member, present) in new[]
                 {
                     ("expiresAt", body.ExpiresAt.IsSet),
                     ("maxHwidSlots", body.MaxHwidSlots is not null),
                     ("unlimitedHwidSlots", body.UnlimitedHwidSlots is not null),
                     ("label", body.Label.IsSet),
                     ("variables", body.Variables.IsSet),
                 })
        {
            if (present && !allowed.Contains(member)) details.Add($"{member}: not used by action {ActionName(action)}");
        }

        if (action == LicenseAction.Extend && !body.ExpiresAt.IsSet) details.Add("expiresAt: required for extend (null = lifetime)");
        if (body.MaxHwidSlots is < 1 or > MaxHwidSlots) details.Add($"maxHwidSlots: must be an integer from 1 to {MaxHwidSlots}");
        var label = body.Label.IsSet ? ValidLabel(body.Label.Value, details) : null;
        IReadOnlyList<Variable>? variables = body.Variables switch
        {
            { IsSet: false } => null,
            { Value.ValueKind: System.Text.Json.JsonValueKind.Null } => Variables.None,
            { Value: var v } => VariablesJson.Parse(v, "variables", details),
        };
        if (action == LicenseAction.Update && details.Count == 0
            && !body.ExpiresAt.IsSet && body.MaxHwidSlots is null && body.UnlimitedHwidSlots is null && !body.Label.IsSet && !body.Variables.IsSet)
        {
            details.Add("body: update needs at least one of expiresAt, maxHwidSlots, unlimitedHwidSlots, label, variables");
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        return new LicenseChange(
            action,
            ExpiresAt: ToSecond(body.ExpiresAt.Value),
            MaxHwidSlots: body.MaxHwidSlots,
            UnlimitedHwidSlots: body.UnlimitedHwidSlots,
            SetLabel: body.Label.IsSet,
            Label: label,
            Variables: variables,
            SetExpiresAt: body.ExpiresAt.IsSet);
    }

    private static string? ValidLabel(string? label, List<string> details)
    {
        if (string.IsNullOrEmpty(label)) return null;
        if (label.Length > MaxLabelLength)
        {
            details.Add($"label: at most {MaxLabelLength} characters");
            return null;
        }
        return label;
    }

    // Timestamps are shown to the second; storing them so keeps "expired" in line with what is shown.
    private static DateTimeOffset? ToSecond(DateTimeOffset? at) =>
        at is { } value ? new DateTimeOffset(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero) : null;

    private static string ActionName(LicenseAction action) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(action.ToString());
}
