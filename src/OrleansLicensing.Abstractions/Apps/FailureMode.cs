namespace OrleansLicensing.Apps;

/// <summary>HTTP status of an app's <c>/auth/*</c> failure responses (auth-protocol.md §3.4).</summary>
public enum FailureMode
{
    /// <summary>Every failure is HTTP 200 (the default; every official SDK reads the code).</summary>
    Always200 = 0,
    /// <summary>Each failure code has its own HTTP status.</summary>
    Semantic = 1,
}
