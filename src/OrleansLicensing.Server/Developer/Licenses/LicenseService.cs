using System.Globalization;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>
/// The license rules of docs/developer-api.md §4.3 for one caller: validation, ownership, creation under
/// fresh keys, the listing and every change. <c>/v1/licenses</c> and the web console both call it, so
/// a rule lives here once; failures are <see cref="ApiException"/>s with the API's messages.
/// </summary>
public sealed class LicenseService(IGrainFactory grains, TimeProvider time, LicenseIndex index)
{
    /// <summary>Most licenses one create makes.</summary>
    public const int MaxQuantity = 100;
    /// <summary>Most HWID slots a license has.</summary>
    public const int MaxHwidSlots = 16;
    /// <summary>Longest label.</summary>
    public const int MaxLabelLength = 128;
    // 80 random bits per key: a second collision in a row means something is broken, not unlucky.
    private const int KeyAttempts = 5;

    /// <summary>Creates 1–100 licenses of one of the caller's apps, each under a new random key.</summary>
    public async Task<IReadOnlyList<LicenseResponse>> CreateAsync(ApiCaller caller, CreateLicensesRequest? body)
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

        var app = await grains.FindApp(caller, body.AppId);
        var command = new CreateLicense(
            app.AppId,
            caller.AccountId,
            ToSecond(body.ExpiresAt),
            body.MaxHwidSlots ?? 1,
            body.UnlimitedHwidSlots ?? false,
            label,
            variables!);
        var created = await Task.WhenAll(Enumerable.Range(0, body.Quantity ?? 1).Select(_ => CreateUnderNewKey(command)));
        var now = time.GetUtcNow();
        return [.. created.Select(l => LicenseResponse.From(l, now))];
    }

    /// <summary>
    /// A page of one app's licenses, newest first, with keyset cursor pagination and optional filters:
    /// <paramref name="status"/> (active | revoked | expired), <paramref name="hwid"/> (exact),
    /// <paramref name="label"/> (prefix). Arguments are as received (strings), validated here.
    /// </summary>
    public async Task<LicenseListResponse> ListAsync(
        ApiCaller caller, string? appId, string? status, string? hwid, string? label, string? limit, string? cursor, CancellationToken cancellationToken)
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
            before = Pagination.Decode("lic", cursor, k => long.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : (long?)null);
        }
        catch (ApiException error) when (error.Details is { } problems)
        {
            details.AddRange(problems);
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var app = await grains.FindApp(caller, appId);
        var now = time.GetUtcNow();
        var (licenses, next) = await index.ListAsync(new LicenseQuery(app.AppId, statusFilter, hwid, label, before, pageSize), now, cancellationToken);
        return new LicenseListResponse(
            [.. licenses.Select(l => LicenseResponse.From(l, now))],
            next is { } position ? Pagination.Encode("lic", position.ToString(CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>The caller's license; the key is canonicalized (trimmed, ASCII upper case).</summary>
    public async Task<LicenseResponse> GetAsync(ApiCaller caller, string licenseKey) =>
        LicenseResponse.From(await grains.FindLicense(caller, licenseKey), time.GetUtcNow());

    /// <summary>Revoke, activate, extend, reset-hwid or update a license.</summary>
    public async Task<LicenseResponse> ChangeAsync(ApiCaller caller, string licenseKey, UpdateLicenseRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var change = ValidChange(body);

        var license = await grains.FindLicense(caller, licenseKey);
        var changed = await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey)).Change(change)
            ?? throw ApiException.NotFound($"License {license.LicenseKey} not found");
        return LicenseResponse.From(changed, time.GetUtcNow());
    }

    /// <summary>Deletes the license: validate answers <c>invalid_key</c> from now on; the key is never reused.</summary>
    public async Task DeleteAsync(ApiCaller caller, string licenseKey)
    {
        var license = await grains.FindLicense(caller, licenseKey);
        if (!await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey)).Delete())
        {
            throw ApiException.NotFound($"License {license.LicenseKey} not found");
        }
    }

    private static LicenseStatusFilter? Invalid(List<string> details, string problem)
    {
        details.Add(problem);
        return null;
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
        if (TextRules.HasControlCharacters(label))
        {
            details.Add($"label: {TextRules.ControlCharacters}");
            return null;
        }
        return label;
    }

    // Timestamps are shown to the second; storing them so keeps "expired" in line with what is shown.
    private static DateTimeOffset? ToSecond(DateTimeOffset? at) =>
        at is { } value ? new DateTimeOffset(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero) : null;

    private static string ActionName(LicenseAction action) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(action.ToString());
}
