using OrleansLicensing.Events;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Licenses;

/// <summary>
/// Persistent state of <see cref="LicenseGrain"/>. Every write also keeps the license's listing row
/// and inserts the pending <see cref="Outbox"/> events, in the same database transaction.
/// </summary>
[GenerateSerializer]
public sealed class LicenseState : IProjectedState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public bool Deleted { get; set; }
    [Id(2)] public string LicenseKey { get; set; } = "";
    [Id(3)] public string AppId { get; set; } = "";
    [Id(4)] public string AccountId { get; set; } = "";
    [Id(5)] public LicenseStatus Status { get; set; }
    [Id(6)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(7)] public int MaxHwidSlots { get; set; } = 1;
    [Id(8)] public bool UnlimitedHwidSlots { get; set; }
    [Id(9)] public string? Label { get; set; }
    [Id(10)] public List<Variable> Variables { get; set; } = [];
    [Id(11)] public DateTimeOffset CreatedAt { get; set; }
    [Id(12)] public DateTimeOffset? LastValidatedAt { get; set; }

    /// <summary>Bound (or, when unlimited, recorded) HWIDs in binding order.</summary>
    [Id(13)] public List<HwidBinding> Hwids { get; set; } = [];

    /// <summary>Whether any HWID was ever bound (for <c>license.activated</c>).</summary>
    [Id(14)] public bool EverBound { get; set; }

    /// <summary>Successful heartbeats of the license, across all sessions (docs/protocol.md §13.3).</summary>
    [Id(15)] public long HeartbeatCount { get; set; }

    /// <summary>
    /// Changes whose credit debit may or may not have happened: stored before the debit is asked
    /// for, decided by the account (<see cref="Accounts.IDeveloperAccountGrain.ResolveIntent"/>)
    /// if the outcome was never seen (crash, timeout).
    /// </summary>
    [Id(16)] public List<LicenseIntent> Intents { get; set; } = [];

    /// <summary>Events raised by changes not yet stored; the write that stores the change commits them.</summary>
    [Id(17)] public List<OutboxEvent> Outbox { get; set; } = [];

    /// <summary>The expiry <c>license.expired</c> was raised for (an extension makes it differ again).</summary>
    [Id(18)] public DateTimeOffset? ExpiryNotifiedFor { get; set; }

    /// <summary>Offline license files issued for the license, oldest first (kept to be downloaded again).</summary>
    [Id(19)] public List<OfflineFile> OfflineFiles { get; set; } = [];

    /// <summary>Files whose <see cref="LicenseIntentKind.IssueOfflineFile"/> intent is not decided yet.</summary>
    [Id(20)] public List<OfflineFile> PendingOfflineFiles { get; set; } = [];

    /// <summary>The license as the management API shows it.</summary>
    public LicenseSnapshot ToSnapshot() => new(
        LicenseKey, AppId, AccountId, Status, ExpiresAt, MaxHwidSlots, UnlimitedHwidSlots,
        Hwids.ToArray(), Label, Variables.ToArray(), CreatedAt, LastValidatedAt, HeartbeatCount);

    /// <summary>
    /// Not stored: set by the grain for a write that changes nothing the listing row shows and raises
    /// no event (a bind intent stored while nothing lazy is pending), so that write is a plain state
    /// write and the database's listing triggers do not run for it.
    /// </summary>
    [field: NonSerialized]
    public bool ListingUnchanged { get; set; }

    /// <inheritdoc />
    public StateProjection? Projection() => !Created || (ListingUnchanged && Outbox.Count == 0)
        ? null
        : new StateProjection(new LicenseProjection(ToSnapshot(), Deleted, ExpiresAt is not null && ExpiryNotifiedFor == ExpiresAt), Outbox.ToArray());
}

/// <summary>What an intent does once its debit is known to have happened.</summary>
public enum LicenseIntentKind
{
    /// <summary>Bind (or record) <see cref="LicenseIntent.Hwid"/>; aborted: the slot is freed.</summary>
    Bind = 0,
    /// <summary>A billable heartbeat; the counter was already advanced with the intent, aborted: it is taken back.</summary>
    BillHeartbeat = 1,
    /// <summary>Issue the pending offline file <see cref="LicenseIntent.FileId"/> and bind its HWIDs; aborted: the file is dropped.</summary>
    IssueOfflineFile = 2,
}

/// <summary>A license change that commits together with the account's debit of the same id.</summary>
[GenerateSerializer, Immutable]
public sealed record LicenseIntent(
    [property: Id(0)] string IntentId,
    [property: Id(1)] LicenseIntentKind Kind,
    [property: Id(2)] string? Hwid,
    [property: Id(3)] string? Ip,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? FileId = null);
