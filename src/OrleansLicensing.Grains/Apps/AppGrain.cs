using System.Net;
using System.Security.Cryptography;
using OrleansLicensing.Security;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Apps;

/// <summary>
/// One app. Changes are processed one at a time and are durable before they are acknowledged;
/// reads (<see cref="GetAuthView"/>, <see cref="Get"/>) interleave and are served from memory, with
/// the secret and the current signing seed decrypted once per change, not per request.
/// </summary>
public sealed partial class AppGrain(
    [PersistentState("app", Storage.LicensingStorage.Name)] IPersistentState<AppState> state,
    SecretProtector protector,
    TimeProvider time,
    Views.AuthViewBroadcast views) : Grain, IAppGrain
{
    private const string WebhookSecretPrefix = "whsec_";

    private AppAuthView? _view;
    private AppSnapshot? _snapshot;
    private IReadOnlyList<WebhookSnapshot> _webhooks = [];
    private IReadOnlyList<WebhookTarget> _webhookTargets = [];

    private AppState S => state.State;
    private bool Exists => S.Created && !S.Deleted;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Refresh();
        return Task.CompletedTask;
    }

    public async Task<CreateAppResult?> Create(CreateApp command)
    {
        if (S.Created) return null;
        var now = time.GetUtcNow();
        var appId = this.GetPrimaryKeyString()["app_".Length..];
        var secret = Guid.NewGuid().ToString();
        S.Created = true;
        S.AppId = appId;
        S.AccountId = command.AccountId;
        S.Name = command.Name;
        S.Status = AppStatus.Active;
        S.SigningScheme = command.SigningScheme;
        S.FailureHttpStatus = command.FailureHttpStatus;
        S.DailyCreditCap = command.DailyCreditCap;
        S.ProtectedSecret = ProtectSecret(secret);
        S.SigningKeys = [NewSigningKey(now)];
        S.CreatedAt = now;
        await CommitAsync();
        return new CreateAppResult(_snapshot!, secret);
    }

    public Task<AppSnapshot?> Get() => Task.FromResult(Exists ? _snapshot : null);

    public Task<AppAuthView?> GetAuthView() => Task.FromResult(Exists ? _view : null);

    public async Task<AppSnapshot?> Update(UpdateApp update)
    {
        if (!Exists) return null;
        if (update.Name is { } name) S.Name = name;
        if (update.Status is { } status) S.Status = status;
        if (update.FailureHttpStatus is { } mode) S.FailureHttpStatus = mode;
        if (update.SigningScheme is { } scheme) S.SigningScheme = scheme;
        if (update.SetDailyCreditCap) S.DailyCreditCap = update.DailyCreditCap;
        await CommitAsync();
        return _snapshot;
    }

    public async Task<RotatedSecret?> RotateSecret()
    {
        if (!Exists) return null;
        var secret = Guid.NewGuid().ToString();
        S.ProtectedSecret = ProtectSecret(secret);
        await CommitAsync();
        return new RotatedSecret(_snapshot!, secret);
    }

    public async Task<AppSnapshot?> SetVariables(IReadOnlyList<Variable> variables)
    {
        if (!Exists) return null;
        S.Variables = [.. Variables.Normalize(variables)];
        await CommitAsync();
        return _snapshot;
    }

    public async Task<AppSnapshot?> SetSecurity(SecurityLists lists)
    {
        if (!Exists) return null;
        S.Security = lists;
        await CommitAsync();
        return _snapshot;
    }

    public async Task<AppSnapshot?> ReplaceSecurityLists(SecurityListsReplacement replacement)
    {
        if (!Exists) return null;
        S.Security = replacement.ApplyTo(S.Security);
        await CommitAsync();
        return _snapshot;
    }

    // One entry at a time inside the grain: a read-modify-write at the edge would lose concurrent edits.
    public async Task<SecurityListEdit> AddSecurityEntry(SecurityListName list, string entry)
    {
        if (!Exists) return new SecurityListEdit(SecurityListEditStatus.AppNotFound, null);
        var entries = S.Security.Entries(list);
        if (entries.Contains(entry, StringComparer.Ordinal)) return new SecurityListEdit(SecurityListEditStatus.AlreadyListed, S.Security);
        if (entries.Length >= SecurityLists.MaxEntries) return new SecurityListEdit(SecurityListEditStatus.Full, S.Security);
        S.Security = S.Security.With(list, [.. entries, entry]);
        await CommitAsync();
        return new SecurityListEdit(SecurityListEditStatus.Changed, S.Security);
    }

    public async Task<SecurityListEdit> RemoveSecurityEntry(SecurityListName list, string entry)
    {
        if (!Exists) return new SecurityListEdit(SecurityListEditStatus.AppNotFound, null);
        var entries = S.Security.Entries(list);
        if (!entries.Contains(entry, StringComparer.Ordinal)) return new SecurityListEdit(SecurityListEditStatus.NotListed, S.Security);
        S.Security = S.Security.With(list, [.. entries.Where(e => !string.Equals(e, entry, StringComparison.Ordinal))]);
        await CommitAsync();
        return new SecurityListEdit(SecurityListEditStatus.Changed, S.Security);
    }

    public async Task<SelfBanListing> BlockForSelfBan(string? hwid, string? ip)
    {
        if (!Exists) return new SelfBanListing(false, false);
        var lists = S.Security;
        var matcher = SecurityListMatcher.Build(lists);
        var changed = false;

        var hwidListed = false;
        if (hwid is not null)
        {
            hwidListed = matcher.HwidBlacklisted(hwid);
            if (!hwidListed && lists.HwidBlacklist.Length < SecurityLists.MaxEntries)
            {
                lists = lists with { HwidBlacklist = [.. lists.HwidBlacklist, hwid] };
                hwidListed = changed = true;
            }
        }

        var ipListed = false;
        if (ip is not null && IPAddress.TryParse(ip, out var address))
        {
            ipListed = matcher.IpCovered(address);
            if (!ipListed && lists.IpBlacklist.Length < SecurityLists.MaxEntries && IpRules.TryCanonicalize(ip, out var canonical))
            {
                lists = lists with { IpBlacklist = [.. lists.IpBlacklist, canonical] };
                ipListed = changed = true;
            }
        }

        if (changed)
        {
            S.Security = lists;
            await CommitAsync();
        }
        return new SelfBanListing(hwidListed, ipListed);
    }

    public async Task<bool> Delete()
    {
        if (!Exists) return false;
        S.Deleted = true;
        S.Webhooks.Clear();
        await CommitAsync();
        return true;
    }

    public Task<IReadOnlyList<WebhookSnapshot>?> GetWebhooks() => Task.FromResult(Exists ? _webhooks : null);

    public Task<IReadOnlyList<WebhookTarget>?> GetWebhookTargets() => Task.FromResult(Exists ? _webhookTargets : null);

    public async Task<WebhookChange> AddWebhook(NewWebhook webhook)
    {
        if (!Exists) return new WebhookChange(WebhookChangeOutcome.AppNotFound);
        if (S.Webhooks.Count >= WebhookLimits.MaxPerApp) return new WebhookChange(WebhookChangeOutcome.LimitReached);
        var now = time.GetUtcNow();
        var webhookId = ResourceId.New("wh", now);
        // ~238 bits from a CSPRNG, like API keys.
        var secret = WebhookSecretPrefix + Base62.Random(40);
        S.Webhooks.Add(new StoredWebhook(webhookId, webhook.Url, [.. webhook.Events], webhook.Enabled,
            protector.Protect(WebhookSecretPurpose(webhookId), System.Text.Encoding.UTF8.GetBytes(secret)), now, now));
        await CommitAsync();
        return new WebhookChange(WebhookChangeOutcome.Done, FindWebhook(webhookId), secret);
    }

    public async Task<WebhookChange> UpdateWebhook(string webhookId, WebhookUpdate update)
    {
        if (!Exists) return new WebhookChange(WebhookChangeOutcome.AppNotFound);
        var index = S.Webhooks.FindIndex(w => w.WebhookId == webhookId);
        if (index < 0) return new WebhookChange(WebhookChangeOutcome.WebhookNotFound);
        var current = S.Webhooks[index];
        var changed = current with
        {
            Url = update.Url ?? current.Url,
            Events = update.Events is { } events ? [.. events] : current.Events,
            Enabled = update.Enabled ?? current.Enabled,
        };
        if (changed.Url != current.Url || !changed.Events.SequenceEqual(current.Events) || changed.Enabled != current.Enabled)
        {
            S.Webhooks[index] = changed with { UpdatedAt = time.GetUtcNow() };
            await CommitAsync();
        }
        return new WebhookChange(WebhookChangeOutcome.Done, FindWebhook(webhookId));
    }

    public async Task<WebhookChange> DeleteWebhook(string webhookId)
    {
        if (!Exists) return new WebhookChange(WebhookChangeOutcome.AppNotFound);
        var removed = FindWebhook(webhookId);
        if (removed is null) return new WebhookChange(WebhookChangeOutcome.WebhookNotFound);
        S.Webhooks.RemoveAll(w => w.WebhookId == webhookId);
        await CommitAsync();
        return new WebhookChange(WebhookChangeOutcome.Done, removed);
    }

    private WebhookSnapshot? FindWebhook(string webhookId) => _webhooks.FirstOrDefault(w => w.WebhookId == webhookId);

    private string WebhookSecretPurpose(string webhookId) => $"webhook-secret:{S.AppId}:{webhookId}";

    /// <summary>
    /// Stores the state; on failure re-reads it so that memory never holds an unstored change. Then
    /// every silo's <c>/auth</c> edge drops its copy of the view before the change is acknowledged.
    /// </summary>
    private async Task CommitAsync()
    {
        S.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            try { await state.ReadStateAsync(); }
            catch { DeactivateOnIdle(); }
            Refresh();
            throw;
        }
        Refresh();
        await views.InvalidateEverywhere(Views.AuthViewKey.App(S.AppId));
    }

    private void Refresh()
    {
        if (!S.Created)
        {
            _view = null;
            _snapshot = null;
            _webhooks = [];
            _webhookTargets = [];
            return;
        }
        _webhooks = [.. S.Webhooks.Select(w => new WebhookSnapshot(w.WebhookId, S.AppId, w.Url, w.Events, w.Enabled, w.CreatedAt, w.UpdatedAt))];
        _webhookTargets = [.. S.Webhooks.Select(w => new WebhookTarget(w.WebhookId, S.AppId, S.AccountId, w.Url, w.Events, w.Enabled,
            System.Text.Encoding.UTF8.GetString(protector.Unprotect(WebhookSecretPurpose(w.WebhookId), w.ProtectedSecret))))];
        var current = CurrentSigningKey;
        var publicKeys = PublishedSigningKeys();
        var variables = S.Variables.ToArray();
        _snapshot = new AppSnapshot(S.AppId, S.AccountId, S.Name, S.Status, S.SigningScheme, S.FailureHttpStatus, S.DailyCreditCap,
            current.KeyId, Convert.ToBase64String(current.PublicKey), publicKeys, variables, S.Security, S.CreatedAt);
        var secret = System.Text.Encoding.UTF8.GetString(protector.Unprotect(SecretPurpose, S.ProtectedSecret));
        var seed = protector.Unprotect(SeedPurpose(current.KeyId), current.ProtectedSeed);
        _view = new AppAuthView(S.AppId, S.AccountId, S.Status, S.SigningScheme, S.FailureHttpStatus, S.DailyCreditCap,
            secret, current.KeyId, seed, variables, S.Security, S.Version,
            // license.validated costs an outbox row per validate: raised only while someone listens.
            WantsValidatedEvents: _webhookTargets.Any(w => w.Wants(Events.WebhookEvents.LicenseValidated)));
    }

    private string SecretPurpose => $"app-secret:{S.AppId}";

    private string SeedPurpose(string keyId) => $"signing-key:{S.AppId}:{keyId}";

    private byte[] ProtectSecret(string secret) => protector.Protect(SecretPurpose, System.Text.Encoding.UTF8.GetBytes(secret));

    private StoredSigningKey NewSigningKey(DateTimeOffset now)
    {
        var pair = Ed25519Keys.Generate();
        var keyId = Ed25519Keys.KeyIdOf(pair.PublicKey);
        return new StoredSigningKey(keyId, pair.PublicKey, protector.Protect(SeedPurpose(keyId), pair.Seed), now);
    }
}
