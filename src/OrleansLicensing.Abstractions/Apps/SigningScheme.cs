namespace OrleansLicensing.Apps;

/// <summary>How an app's successful <c>/auth/*</c> responses are signed (docs/protocol.md §4).</summary>
public enum SigningScheme
{
    /// <summary>Ed25519 over the payload string with the app's current key (the default).</summary>
    Ed25519 = 0,
    /// <summary>HMAC-SHA256 keyed with SHA-256(appSecret ‖ nonce).</summary>
    HmacV1 = 1,
    /// <summary>As <see cref="HmacV1"/> for validate; heartbeats keyed with SHA-256(sigKey ‖ nonce).</summary>
    HmacV2 = 2,
}
