using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Crypto.Parameters;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>The options after validation (§17.1): normalised, immutable, safe to share between threads.</summary>
internal sealed class ClientSettings
{
    private ClientSettings(LicensingClientOptions o, string baseUrl, IReadOnlyList<Ed25519PublicKeyParameters> keys, string? hwidOverride)
    {
        AppId = o.AppId;
        AppSecret = o.AppSecret;
        Scheme = o.SigningScheme;
        TrustedKeys = keys;
        BaseUrl = baseUrl;
        HeartbeatMode = o.HeartbeatMode;
        HeartbeatInterval = o.HeartbeatInterval;
        RequestTimeout = o.RequestTimeout;
        TtlSeconds = o.TtlSeconds is > 0 ? o.TtlSeconds : null;
        HwidOverride = hwidOverride;
        OnFailure = o.OnFailure;
        MaxRetries = o.MaxRetries;
        RetryBaseDelay = o.RetryBaseDelay;
        RetryMaxDelay = o.RetryMaxDelay;
        Logger = o.Logger ?? NullLogger.Instance;
        Time = o.TimeProvider;
        RetryJitter = o.RetryJitter;
    }

    public string AppId { get; }
    public string AppSecret { get; }
    public SigningScheme Scheme { get; }
    public IReadOnlyList<Ed25519PublicKeyParameters> TrustedKeys { get; }
    /// <summary>The base URL without trailing <c>/</c>; request paths (<c>/auth/...</c>) are appended to it.</summary>
    public string BaseUrl { get; }
    public HeartbeatMode HeartbeatMode { get; }
    public TimeSpan HeartbeatInterval { get; }
    public TimeSpan RequestTimeout { get; }
    public int? TtlSeconds { get; }
    public string? HwidOverride { get; }
    public Action<string, LicensingException>? OnFailure { get; }
    public int MaxRetries { get; }
    public TimeSpan RetryBaseDelay { get; }
    public TimeSpan RetryMaxDelay { get; }
    public ILogger Logger { get; }
    public TimeProvider Time { get; }
    public Func<double>? RetryJitter { get; }

    /// <summary>Validates <paramref name="options"/>; throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public static ClientSettings From(LicensingClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string name = "options";
        if (string.IsNullOrWhiteSpace(options.AppId)) throw new ArgumentException("AppId is required.", name);
        if (string.IsNullOrEmpty(options.AppSecret)) throw new ArgumentException("AppSecret is required.", name);
        if (!Enum.IsDefined(options.SigningScheme)) throw new ArgumentException("SigningScheme is not a known scheme.", name);
        if (!Enum.IsDefined(options.HeartbeatMode)) throw new ArgumentException("HeartbeatMode is not a known mode.", name);

        // HMAC apps may still list their Ed25519 key(s): offline license files are always Ed25519-signed (§18.1).
        IReadOnlyList<Ed25519PublicKeyParameters> keys = options.SigningScheme == SigningScheme.Ed25519
            || (options.PublicKeys ?? []).Any(k => !string.IsNullOrWhiteSpace(k?.Replace(",", "", StringComparison.Ordinal)))
            ? ParsePublicKeys(options.PublicKeys, name)
            : [];

        var url = options.ApiBaseUrl ?? throw new ArgumentException("ApiBaseUrl is required.", name);
        if (!url.IsAbsoluteUri) throw new ArgumentException("ApiBaseUrl must be an absolute URI.", name);
        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) throw new ArgumentException("ApiBaseUrl must use https (or http).", name);
        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback && !options.AllowInsecureHttp)
        {
            throw new ArgumentException("ApiBaseUrl must use https unless the host is a loopback address or AllowInsecureHttp is set.", name);
        }
        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)) throw new ArgumentException("ApiBaseUrl must not have a query or fragment.", name);
        var normalised = url.GetLeftPart(UriPartial.Path).TrimEnd('/');

        if (options.HeartbeatInterval < LicensingClientOptions.MinimumHeartbeatInterval) throw new ArgumentException("HeartbeatInterval must be at least 10 seconds.", name);
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(10)) throw new ArgumentException("RequestTimeout must be positive and at most 10 minutes.", name);
        if (options.MaxRetries is < 0 or > 10) throw new ArgumentException("MaxRetries must be between 0 and 10.", name);
        if (options.RetryBaseDelay <= TimeSpan.Zero) throw new ArgumentException("RetryBaseDelay must be positive.", name);
        if (options.RetryMaxDelay < options.RetryBaseDelay) throw new ArgumentException("RetryMaxDelay must not be less than RetryBaseDelay.", name);
        if (options.TimeProvider is null) throw new ArgumentException("TimeProvider is required.", name);

        var hwid = options.HwidOverride?.Trim();
        return new ClientSettings(options, normalised, keys, string.IsNullOrEmpty(hwid) ? null : hwid);
    }

    /// <summary>
    /// The trust list of §17.1: entries containing commas are split, entries trimmed, empty ones dropped,
    /// duplicates removed; at least one key; each standard base64 of 32 bytes. Throws <see cref="ArgumentException"/>.
    /// </summary>
    internal static IReadOnlyList<Ed25519PublicKeyParameters> ParsePublicKeys(IEnumerable<string>? publicKeys, string parameterName)
    {
        var entries = (publicKeys ?? [])
            .Where(k => k is not null)
            .SelectMany(k => k.Split(','))
            .Select(k => k.Trim())
            .Where(k => k.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (entries.Count == 0) throw new ArgumentException("PublicKeys: at least one Ed25519 public key is required for the Ed25519 scheme.", parameterName);
        var keys = new List<Ed25519PublicKeyParameters>(entries.Count);
        foreach (var entry in entries)
        {
            keys.Add(ParsePublicKey(entry) ?? throw new ArgumentException($"PublicKeys: '{entry}' is not standard base64 of a 32-byte Ed25519 public key.", parameterName));
        }
        return keys;
    }

    private static Ed25519PublicKeyParameters? ParsePublicKey(string base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64);
            return bytes.Length == 32 ? new Ed25519PublicKeyParameters(bytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
