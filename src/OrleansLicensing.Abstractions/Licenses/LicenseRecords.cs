namespace OrleansLicensing.Licenses;

/// <summary>Status of a license (expiry is separate: see <see cref="LicenseSnapshot.IsExpired"/>).</summary>
public enum LicenseStatus
{
    /// <summary>The license validates (unless expired).</summary>
    Active = 0,
    /// <summary>Revoked: validate and heartbeat answer <c>revoked</c>.</summary>
    Revoked = 1,
}

/// <summary>A HWID bound to (or, for unlimited licenses, recorded on) a license.</summary>
[GenerateSerializer, Immutable]
public sealed record HwidBinding(
    [property: Id(0)] string Hwid,
    [property: Id(1)] DateTimeOffset BoundAt,
    [property: Id(2)] DateTimeOffset LastSeenAt,
    [property: Id(3)] string? LastIp);

/// <summary>The management view of a license.</summary>
[GenerateSerializer, Immutable]
public sealed record LicenseSnapshot(
    [property: Id(0)] string LicenseKey,
    [property: Id(1)] string AppId,
    [property: Id(2)] string AccountId,
    [property: Id(3)] LicenseStatus Status,
    [property: Id(4)] DateTimeOffset? ExpiresAt,
    [property: Id(5)] int MaxHwidSlots,
    [property: Id(6)] bool UnlimitedHwidSlots,
    [property: Id(7)] IReadOnlyList<HwidBinding> Hwids,
    [property: Id(8)] string? Label,
    [property: Id(9)] IReadOnlyList<Variable> Variables,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset? LastValidatedAt,
    [property: Id(12)] long HeartbeatCount)
{
    /// <summary>Expired ⇔ <c>expiresAt ≤ now</c> (docs/protocol.md §11.3: equality counts as expired).</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;
}

/// <summary>Everything needed to create one license under a given (already generated) key.</summary>
[GenerateSerializer, Immutable]
public sealed record CreateLicense(
    [property: Id(0)] string AppId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] DateTimeOffset? ExpiresAt,
    [property: Id(3)] int MaxHwidSlots,
    [property: Id(4)] bool UnlimitedHwidSlots,
    [property: Id(5)] string? Label,
    [property: Id(6)] IReadOnlyList<Variable> Variables);

/// <summary>A management change of a license (docs/developer-api.md §4.3).</summary>
public enum LicenseAction
{
    /// <summary>Status becomes revoked.</summary>
    Revoke = 0,
    /// <summary>Status becomes active again.</summary>
    Activate = 1,
    /// <summary>New expiry (or lifetime).</summary>
    Extend = 2,
    /// <summary>Empties the HWID list.</summary>
    ResetHwid = 3,
    /// <summary>Slots, label, unlimited flag or variables.</summary>
    Update = 4,
}

/// <summary>A management change; members not used by the action are ignored.</summary>
[GenerateSerializer, Immutable]
public sealed record LicenseChange(
    [property: Id(0)] LicenseAction Action,
    [property: Id(1)] DateTimeOffset? ExpiresAt = null,
    [property: Id(2)] int? MaxHwidSlots = null,
    [property: Id(3)] bool? UnlimitedHwidSlots = null,
    [property: Id(4)] bool SetLabel = false,
    [property: Id(5)] string? Label = null,
    [property: Id(6)] IReadOnlyList<Variable>? Variables = null,
    [property: Id(7)] bool SetExpiresAt = false,
    [property: Id(8)] string? Reason = null);

/// <summary>
/// A validate's license-side request (docs/protocol.md §8.2, V8–V16): the license takes its
/// per-license bucket (V8), has the account record <see cref="Nonce"/> in the app's replay window
/// (V9) and decides V10–V16. <see cref="AccountId"/> is the app's account: the replay window's owner
/// even when the key names no license of this app. <see cref="Repeat"/> is set by the edge only, when it
/// sends the same request again after a silo loss (docs/design.md, "A silo dies"): a request takes
/// one V8 token, so a repeat of the request whose token this activation took takes none.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LicenseValidation(
    [property: Id(0)] string AppId,
    [property: Id(1)] string Hwid,
    [property: Id(2)] string Ip,
    [property: Id(3)] long? DailyCreditCap,
    [property: Id(4)] bool RaiseValidatedEvent = true,
    [property: Id(5)] string AccountId = "",
    [property: Id(6)] string Nonce = "",
    [property: Id(7)] Limits.TokenBucketSpec? LicenseBucket = null,
    [property: Id(8)] bool Repeat = false);

/// <summary>A heartbeat's license-side request (docs/protocol.md §9.2, H11–H17).</summary>
[GenerateSerializer, Immutable]
public sealed record LicenseHeartbeat(
    [property: Id(0)] string AppId,
    [property: Id(1)] string Hwid,
    [property: Id(2)] string Ip,
    [property: Id(3)] long? DailyCreditCap,
    [property: Id(4)] int BillingInterval,
    [property: Id(5)] Limits.TokenBucketSpec? LicenseBucket = null);

/// <summary>The license's verdict on a validate or heartbeat, in protocol terms but wire-independent.</summary>
public enum LicenseVerdictCode
{
    /// <summary>Committed: bound/debited as required.</summary>
    Ok = 0,
    /// <summary>No such license in this app (validate).</summary>
    InvalidKey = 1,
    /// <summary>License revoked.</summary>
    Revoked = 2,
    /// <summary>License expired.</summary>
    Expired = 3,
    /// <summary>No free slot for a new HWID (validate).</summary>
    HwidMismatch = 4,
    /// <summary>The account balance is below 1.</summary>
    NoCredits = 5,
    /// <summary>The app's daily credit cap is reached.</summary>
    DailyCapReached = 6,
    /// <summary>Heartbeat: license gone from this app, or the HWID is no longer bound.</summary>
    SessionExpired = 7,
    /// <summary>The per-license bucket is empty (V8, H10); <see cref="LicenseVerdict.RetryAfterSeconds"/> says for how long.</summary>
    RateLimited = 8,
    /// <summary>The nonce is already in the app's replay window (V9).</summary>
    ReplayDetected = 9,
}

/// <summary>License data a success payload carries (docs/protocol.md §7).</summary>
[GenerateSerializer, Immutable]
public sealed record LicensePayloadView(
    [property: Id(0)] DateTimeOffset? ExpiresAt,
    [property: Id(1)] int MaxHwidSlots,
    [property: Id(2)] bool UnlimitedHwidSlots,
    [property: Id(3)] int HwidCount,
    [property: Id(4)] string? Label,
    [property: Id(5)] IReadOnlyList<Variable> Variables);

/// <summary>Outcome of <see cref="ILicenseGrain.Validate"/> or <see cref="ILicenseGrain.Heartbeat"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record LicenseVerdict(
    [property: Id(0)] LicenseVerdictCode Code,
    [property: Id(1)] LicensePayloadView? View,
    [property: Id(2)] int RetryAfterSeconds = 0)
{
    /// <summary>A failure without payload data.</summary>
    public static LicenseVerdict Fail(LicenseVerdictCode code) => new(code, null);
}
