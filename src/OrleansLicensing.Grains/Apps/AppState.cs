namespace OrleansLicensing.Apps;

/// <summary>Persistent state of <see cref="AppGrain"/>. Secrets are stored encrypted only.</summary>
[GenerateSerializer]
public sealed class AppState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public bool Deleted { get; set; }
    [Id(2)] public string AppId { get; set; } = "";
    [Id(3)] public string AccountId { get; set; } = "";
    [Id(4)] public string Name { get; set; } = "";
    [Id(5)] public AppStatus Status { get; set; }
    [Id(6)] public SigningScheme SigningScheme { get; set; }
    [Id(7)] public FailureMode FailureHttpStatus { get; set; }
    [Id(8)] public long? DailyCreditCap { get; set; }

    /// <summary>The app secret, encrypted with the master key (purpose <c>app-secret:{appId}</c>).</summary>
    [Id(9)] public byte[] ProtectedSecret { get; set; } = [];

    /// <summary>Signing keys, oldest first. Without <see cref="CurrentKeyId"/> (states stored before staged rotation) the last one is current.</summary>
    [Id(10)] public List<StoredSigningKey> SigningKeys { get; set; } = [];

    [Id(11)] public List<Variable> Variables { get; set; } = [];
    [Id(12)] public SecurityLists Security { get; set; } = SecurityLists.Empty;
    [Id(13)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Incremented by every change; lets the edge cache derived data (matchers, signers) per version.</summary>
    [Id(14)] public long Version { get; set; }

    /// <summary>Webhooks, oldest first (at most <see cref="Webhooks.WebhookLimits.MaxPerApp"/>).</summary>
    [Id(15)] public List<StoredWebhook> Webhooks { get; set; } = [];

    /// <summary>The key that signs; null means the last of <see cref="SigningKeys"/>.</summary>
    [Id(16)] public string? CurrentKeyId { get; set; }

    /// <summary>The published, not yet signing key of a staged rotation, if any.</summary>
    [Id(17)] public string? NextKeyId { get; set; }
}

/// <summary>A webhook; the secret is encrypted (purpose <c>webhook-secret:{appId}:{webhookId}</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record StoredWebhook(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string Url,
    [property: Id(2)] string[] Events,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] byte[] ProtectedSecret,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset UpdatedAt);

/// <summary>An Ed25519 key pair; the seed is encrypted (purpose <c>signing-key:{appId}:{keyId}</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record StoredSigningKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] byte[] PublicKey,
    [property: Id(2)] byte[] ProtectedSeed,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? PromotedAt = null);
