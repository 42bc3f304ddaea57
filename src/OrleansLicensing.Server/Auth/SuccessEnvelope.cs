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
        json.Raw(Opening);
        json.String(payload);
        WriteSignature(json, signature);
        return json.ToArray();
    }

    /// <summary>
    /// Answers 200 with the success envelope of <paramref name="payload"/>: P (the base64 of its JSON)
    /// signed by <paramref name="scheme"/> with <paramref name="keys"/>, the request's
    /// <paramref name="nonce"/> and, for hmac-v2 heartbeats, <paramref name="sessionSigKey"/> (§4).
    /// The body is built in pooled buffers: no string of P and no array of the body is made.
    /// </summary>
    public static async Task WriteAsync(HttpResponse response, AuthPayload payload,
        IResponseSigningScheme scheme, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
    {
        using var payloadJson = new CompactJsonWriter();
        payload.WriteTo(payloadJson);
        using var body = new CompactJsonWriter(payloadJson.Written.Length * 4 / 3 + 256);
        Write(body, payloadJson.Written, scheme, keys, nonce, sessionSigKey);
        await AuthResponses.WriteJsonAsync(response, StatusCodes.Status200OK, body.WrittenMemory);
    }

    /// <summary>
    /// The same body written into <paramref name="json"/> from the payload JSON itself: P is its base64,
    /// written as UTF-8 and signed as it stands, so no string of P is made.
    /// </summary>
    /// <param name="json">An empty writer; the body is its <see cref="CompactJsonWriter.Written"/>.</param>
    /// <param name="payloadJson">The payload JSON (docs/protocol.md §7).</param>
    /// <param name="scheme">The app's signing scheme.</param>
    /// <param name="keys">The app's current keys.</param>
    /// <param name="nonce">The request's nonce.</param>
    /// <param name="sessionSigKey">For hmac-v2 heartbeats the request token's <c>sigKey</c>, otherwise null.</param>
    internal static void Write(CompactJsonWriter json, ReadOnlySpan<byte> payloadJson,
        IResponseSigningScheme scheme, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
    {
        json.Raw(Opening);
        var p = json.Base64String(payloadJson);
        WriteSignature(json, scheme.SignAscii(json.Written[p], keys, nonce, sessionSigKey));
    }

    private static ReadOnlySpan<byte> Opening => "{\"status\":\"success\",\"payload\":"u8;

    private static void WriteSignature(CompactJsonWriter json, ResponseSignature signature)
    {
        json.Raw(",\"signature\":"u8);
        json.String(signature.Signature);
        if (signature.KeyId is not null)
        {
            json.Raw(",\"keyId\":"u8);
            json.String(signature.KeyId);
        }
        json.Raw("}"u8);
    }
}
