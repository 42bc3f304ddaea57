namespace OrleansLicensing.Apps;

/// <summary>Where a signing key stands in a staged rotation (docs/protocol.md §4.5, docs/developer-api.md §4.2a).</summary>
public enum SigningKeyState
{
    /// <summary>Signs every <c>ed25519</c> response and every offline file; exactly one per app.</summary>
    Current = 0,
    /// <summary>Published so clients can trust it before it signs; signs nothing until promoted. At most one.</summary>
    Next = 1,
    /// <summary>Signed earlier; still published until the vendor removes it, never used to sign again.</summary>
    Previous = 2,
}
