namespace OrleansLicensing.Apps;

/// <summary>
/// The HTTP status an app's <c>/auth/*</c> failures carry (docs/protocol.md §3.4, the app setting
/// <c>failureHttpStatus</c>).
/// </summary>
public enum FailureMode
{
    /// <summary>Every failure is HTTP 200 (the default: some official SDKs cannot read codes from any other status).</summary>
    Always200 = 0,
    /// <summary>Failures carry the "semantic" status of the error registry (400/401/403/410/429/500).</summary>
    Semantic = 1,
}
