using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>Request bodies: compact JSON with the keys in the order the official SDKs send them (§8.1, §9.1, §10.1).</summary>
internal static class AuthRequests
{
    public const string ValidatePath = "/auth/validate";
    public const string HeartbeatPath = "/auth/heartbeat";
    public const string SelfBanPath = "/auth/selfban";

    public static byte[] Validate(ClientSettings s, string licenseKey, string hwid, string nonce) => Write(w =>
    {
        w.WriteString("appId", s.AppId);
        w.WriteString("appSecret", s.AppSecret);
        w.WriteString("licenseKey", licenseKey);
        w.WriteString("hwid", hwid);
        w.WriteString("nonce", nonce);
        if (s.TtlSeconds is { } ttl) w.WriteNumber("ttlSeconds", ttl);
    });

    public static byte[] Heartbeat(ClientSettings s, string sessionToken, string hwid, string nonce) => Write(w =>
    {
        w.WriteString("appId", s.AppId);
        w.WriteString("sessionToken", sessionToken);
        w.WriteString("nonce", nonce);
        w.WriteString("hwid", hwid);
    });

    public static byte[] SelfBanWithSession(ClientSettings s, string sessionToken, string hwid, bool revokeLicense, bool blacklistHwid, bool blacklistIp) => Write(w =>
    {
        w.WriteString("appId", s.AppId);
        w.WriteString("sessionToken", sessionToken);
        w.WriteString("hwid", hwid);
        w.WriteBoolean("revokeLicense", revokeLicense);
        w.WriteBoolean("blacklistHwid", blacklistHwid);
        w.WriteBoolean("blacklistIp", blacklistIp);
    });

    /// <summary>The pre-session form; <c>revokeLicense</c> is always false (the server refuses anything else).</summary>
    public static byte[] SelfBanWithoutSession(ClientSettings s, string licenseKey, string hwid, string nonce, bool blacklistHwid, bool blacklistIp) => Write(w =>
    {
        w.WriteString("appId", s.AppId);
        w.WriteString("appSecret", s.AppSecret);
        w.WriteString("licenseKey", licenseKey);
        w.WriteString("hwid", hwid);
        w.WriteString("nonce", nonce);
        w.WriteBoolean("revokeLicense", false);
        w.WriteBoolean("blacklistHwid", blacklistHwid);
        w.WriteBoolean("blacklistIp", blacklistIp);
    });

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII as UTF-8 and '+' in keys as is; the server reads any valid JSON.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
