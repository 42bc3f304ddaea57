using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Sdk;

/// <summary>
/// Everything the SDK logs (§17.11). Codes, statuses, attempts and request ids only: never the app secret,
/// session tokens, sigKey, signatures or full license keys (at most their last four characters).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Licensing {Operation} attempt {Attempt}/{MaxAttempts} failed: {Code} (HTTP {HttpStatus}, request {RequestId}); retrying in {DelayMs} ms")]
    public static partial void AttemptFailedRetrying(ILogger logger, string operation, int attempt, int maxAttempts, string code, int? httpStatus, string? requestId, long delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Licensing {Operation} failed: {Code} (HTTP {HttpStatus}, request {RequestId}, attempt {Attempt}, transient {Transient})")]
    public static partial void CallFailed(ILogger logger, string operation, string code, int? httpStatus, string? requestId, int attempt, bool transient);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Licensing login succeeded for license {LicenseKeyTail}; session expires {ExpiresAt:O}")]
    public static partial void LoggedIn(ILogger logger, string licenseKeyTail, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Licensing heartbeat ({Mode}) succeeded; session expires {ExpiresAt:O}")]
    public static partial void HeartbeatSucceeded(ILogger logger, HeartbeatMode mode, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Licensing heartbeat failed transiently ({Code}); keeping the session until {ExpiresAt:O}")]
    public static partial void HeartbeatKeptSession(ILogger logger, string code, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Licensing session needs re-authentication ({Code}); validating license {LicenseKeyTail} once")]
    public static partial void Reauthenticating(ILogger logger, string code, string licenseKeyTail);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Licensing session ended after a heartbeat failure: {Code}")]
    public static partial void HeartbeatFailed(ILogger logger, string code);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "OnFailure callback for {Reason} threw")]
    public static partial void CallbackThrew(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Critical, Message = "Licensing heartbeat failed ({Code}) and no OnFailure callback is configured: terminating the process with exit code 1")]
    public static partial void Terminating(ILogger logger, string code);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "A licensing heartbeat result arrived after logout or a new login and was discarded")]
    public static partial void HeartbeatDiscarded(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Licensing self-ban done: revoked {Revoked}, HWID blocked {HwidBlacklisted}, IP blocked {IpBlacklisted}")]
    public static partial void SelfBanned(ILogger logger, bool revoked, bool hwidBlacklisted, bool ipBlacklisted);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Licensing offline login succeeded for license {LicenseKeyTail} from file {FileId}; the file expires {ExpiresAt:O}")]
    public static partial void LoggedInOffline(ILogger logger, string licenseKeyTail, string fileId, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Licensing offline login failed: {Code}")]
    public static partial void OfflineLoginFailed(ILogger logger, string code);

    /// <summary>The only form in which a license key is logged: its last four characters.</summary>
    public static string Tail(string licenseKey) => licenseKey.Length <= 4 ? "…" : "…" + licenseKey[^4..];
}
