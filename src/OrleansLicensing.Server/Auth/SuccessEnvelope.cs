using OrleansLicensing.Server.Auth.Signing;

namespace OrleansLicensing.Server.Auth;

/// <summary>The success envelope of validate and heartbeat (docs/protocol.md §3.1).</summary>
public static class SuccessEnvelope
{
    /// <summary>
    /// The exact response body
    /// <c>{"status":"success","payload":"&lt;P&gt;","signature":"&lt;sig&gt;","keyId":"&lt;keyId&gt;"}</c>:
    /// compact UTF-8, keys in this order, <c>keyId</c> omitted when <see cref="ResponseSignature.KeyId"/>
    /// is null (HMAC schemes). No <c>error</c> key.
    /// </summary>
    /// <param name="payload">The payload string P, exactly as signed.</param>
    /// <param name="signature">Its signature.</param>
    public static byte[] Write(string payload, ResponseSignature signature)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(signature);
        using var json = new CompactJsonWriter(payload.Length + 256);
        json.Raw("{\"status\":\"success\",\"payload\":"u8);
        json.String(payload);
        json.Raw(",\"signature\":"u8);
        json.String(signature.Signature);
        if (signature.KeyId is not null)
        {
            json.Raw(",\"keyId\":"u8);
            json.String(signature.KeyId);
        }
        json.Raw("}"u8);
        return json.ToArray();
    }
}
