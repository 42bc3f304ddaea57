using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Sdk;

/// <summary>How the server signs responses for the app. It must match the app's setting; it is never detected from responses.</summary>
public enum SigningScheme
{
    /// <summary>Ed25519 signatures verified against <see cref="LicensingClientOptions.PublicKeys"/> (the default and the only scheme a shipped client cannot forge).</summary>
    Ed25519,
    /// <summary>HMAC-SHA256 keyed with SHA-256(appSecret ‖ nonce).</summary>
    HmacV1,
    /// <summary>As <see cref="HmacV1"/> for validate; heartbeats keyed with SHA-256(sigKey ‖ nonce).</summary>
    HmacV2,
}

/// <summary>What keeps a session alive after <see cref="LicensingClient.Login(string)"/>.</summary>
public enum HeartbeatMode
{
    /// <summary>A heartbeat request every <see cref="LicensingClientOptions.HeartbeatInterval"/>: revocation is noticed within one interval.</summary>
    Server,
    /// <summary>No network: each interval re-verifies the stored signed response and the expiry; re-authenticates at expiry.</summary>
    Local,
    /// <summary>No timer: the session ends at its expiry.</summary>
    None,
}

/// <summary>Configuration of a <see cref="LicensingClient"/> (docs/protocol.md §17.1). Checked by the client's constructor.</summary>
public sealed class LicensingClientOptions
{
    /// <summary>The app's id. Required.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The app's secret. Required. Never logged.</summary>
    public string AppSecret { get; set; } = "";

    /// <summary>The app's signing scheme; must match the server's setting for the app. Default <see cref="SigningScheme.Ed25519"/>.</summary>
    public SigningScheme SigningScheme { get; set; } = SigningScheme.Ed25519;

    /// <summary>
    /// Trusted Ed25519 public keys (standard base64 of 32 bytes); required for <see cref="SigningScheme.Ed25519"/>.
    /// An entry containing commas is split; entries are trimmed, empty entries dropped, duplicates removed.
    /// A response verifies if it verifies under any of them (list old and new key while rotating).
    /// Offline license files are verified with these keys whatever the scheme, so HMAC apps that use them list their Ed25519 key(s) too.
    /// </summary>
    public IReadOnlyList<string> PublicKeys { get; set; } = [];

    /// <summary>Base URL of the server, e.g. <c>https://licensing.example.com</c>; <c>/auth/...</c> is appended. Required.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>Permits <c>http</c> base URLs for non-loopback hosts (loopback hosts may always use <c>http</c>). Default false.</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>How the session is kept alive after login. Default <see cref="HeartbeatMode.Server"/>.</summary>
    public HeartbeatMode HeartbeatMode { get; set; } = HeartbeatMode.Server;

    /// <summary>Time between heartbeats; at least 10 s. Default 15 minutes.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(900);

    /// <summary>Timeout of one HTTP attempt. Default 15 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Requested session lifetime in seconds, sent only when &gt; 0 (the server clamps it to 1 h–7 days). Default null (server default, 24 h).</summary>
    public int? TtlSeconds { get; set; }

    /// <summary>A HWID to use instead of the derived one (e.g. <c>tg:123456789</c>); trimmed; ignored when empty.</summary>
    public string? HwidOverride { get; set; }

    /// <summary>
    /// Called with <c>login_failed</c> or <c>heartbeat_failed</c> (§17.8). When null, a heartbeat failure
    /// terminates the process with exit code 1 (the official SDKs' enforcement); a login failure never does.
    /// </summary>
    public Action<string, LicensingException>? OnFailure { get; set; }

    /// <summary>Retries after a transient failure, 0–10. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled for each further retry up to <see cref="RetryMaxDelay"/>, then multiplied by a jitter of 0.8–1.2. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of a retry delay: a delay beyond it — the jittered backoff or a <c>Retry-After</c> — ends retrying (§17.5). Default 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives every failure with its code, HTTP status, attempt and request id. Secrets are never logged.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Clock for heartbeats, retry delays and expiry checks. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The source of the retry jitter U (§17.5), values uniform in [0, 1); null uses <see cref="Random.Shared"/>. Tests fix it.</summary>
    internal Func<double>? RetryJitter { get; set; }

    /// <summary>The smallest allowed <see cref="HeartbeatInterval"/>.</summary>
    public static readonly TimeSpan MinimumHeartbeatInterval = TimeSpan.FromSeconds(10);
}
