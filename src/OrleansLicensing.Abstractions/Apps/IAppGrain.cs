using Orleans.Concurrency;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Apps;

/// <summary>
/// One vendor product: secret (encrypted at rest), signing keys, settings, variables and security
/// lists. Keyed by <see cref="KeyFor"/>. Changes are durable before they are acknowledged, and the
/// next <c>/auth/*</c> request sees them (it reads <see cref="GetAuthView"/>, served from memory).
/// </summary>
public interface IAppGrain : IGrainWithStringKey
{
    /// <summary>The grain key of an app id (prefixed so Orleans never reads an id as a number).</summary>
    public static string KeyFor(string appId) => "app_" + appId;

    /// <summary>Creates the app with a generated secret and signing key; <c>null</c> if the id is taken.</summary>
    Task<CreateAppResult?> Create(CreateApp command);

    /// <summary>The app, or <c>null</c> if it does not exist (never created or deleted).</summary>
    [AlwaysInterleave]
    Task<AppSnapshot?> Get();

    /// <summary>The hot-path view for <c>/auth/*</c>; <c>null</c> if the app does not exist.</summary>
    [AlwaysInterleave]
    Task<AppAuthView?> GetAuthView();

    /// <summary>Applies a partial update; <c>null</c> if the app does not exist.</summary>
    Task<AppSnapshot?> Update(UpdateApp update);

    /// <summary>Replaces the secret; the old one stops working at once.</summary>
    Task<RotatedSecret?> RotateSecret();

    /// <summary>
    /// One-step rotation: generates a key and makes it current at once; earlier public keys stay listed as
    /// previous. <c>null</c> if the app does not exist; throws <see cref="InvalidOperationException"/> while a
    /// next key is pending (promote or remove it first).
    /// </summary>
    Task<AppSnapshot?> RotateSigningKey();

    /// <summary>Staged rotation, step 1: generates the <c>next</c> key (published, signs nothing). A second next key is a conflict.</summary>
    Task<SigningKeyChange> AddNextSigningKey();

    /// <summary>Staged rotation, step 2: the <c>next</c> key becomes current, the current one previous. Any other key is a conflict.</summary>
    Task<SigningKeyChange> PromoteSigningKey(string keyId);

    /// <summary>Removes a <c>next</c> or <c>previous</c> key (and its encrypted seed); the current key is a conflict.</summary>
    Task<SigningKeyChange> RemoveSigningKey(string keyId);

    /// <summary>Replaces the app variables (already validated and normalized).</summary>
    Task<AppSnapshot?> SetVariables(IReadOnlyList<Variable> variables);

    /// <summary>Replaces the security lists (entries already canonical).</summary>
    Task<AppSnapshot?> SetSecurity(SecurityLists lists);

    /// <summary>Replaces the lists the replacement names, in one change; <c>null</c> if the app does not exist.</summary>
    Task<AppSnapshot?> ReplaceSecurityLists(SecurityListsReplacement replacement);

    /// <summary>Adds one canonical entry to a list (a duplicate changes nothing; a full list refuses).</summary>
    Task<SecurityListEdit> AddSecurityEntry(SecurityListName list, string entry);

    /// <summary>Removes one canonical entry from a list.</summary>
    Task<SecurityListEdit> RemoveSecurityEntry(SecurityListName list, string entry);

    /// <summary>Self-ban (docs/protocol.md §10.3): adds the HWID and/or the IP to the block lists unless already there or full.</summary>
    Task<SelfBanListing> BlockForSelfBan(string? hwid, string? ip);

    /// <summary>Deletes the app (and its webhooks): every <c>/auth/*</c> call answers <c>invalid_app</c> from now on.</summary>
    Task<bool> Delete();

    /// <summary>The app's webhooks (at most <see cref="WebhookLimits.MaxPerApp"/>, oldest first), or <c>null</c> if the app does not exist.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<WebhookSnapshot>?> GetWebhooks();

    /// <summary>The webhooks with their decrypted secrets, for delivery; <c>null</c> if the app does not exist.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<WebhookTarget>?> GetWebhookTargets();

    /// <summary>Adds a webhook with a generated id and secret (the secret is returned only here).</summary>
    Task<WebhookChange> AddWebhook(NewWebhook webhook);

    /// <summary>Applies a partial update to one webhook.</summary>
    Task<WebhookChange> UpdateWebhook(string webhookId, WebhookUpdate update);

    /// <summary>Removes one webhook; its pending deliveries fail when they come due.</summary>
    Task<WebhookChange> DeleteWebhook(string webhookId);
}
