namespace OrleansLicensing.Sdk;

/// <summary>End-user messages of docs/protocol.md §17.10: every code maps to a text without raw codes.</summary>
public sealed class LicensingMessagesTests
{
    public static TheoryData<string, LicensingMessageKind> Codes => new()
    {
        { "invalid_key", LicensingMessageKind.KeyNotRecognised },
        { "revoked", LicensingMessageKind.LicenseInactive },
        { "expired", LicensingMessageKind.LicenseExpired },
        { "hwid_mismatch", LicensingMessageKind.DeviceInUse },
        { "blocked", LicensingMessageKind.AccessBlocked },
        { "session_expired", LicensingMessageKind.SessionEnded },
        { "invalid_app", LicensingMessageKind.CannotCheck },
        { "bad_request", LicensingMessageKind.CannotCheck },
        { "malformed_request", LicensingMessageKind.CannotCheck },
        { "revoke_requires_session", LicensingMessageKind.CannotCheck },
        { "unknown_error", LicensingMessageKind.CannotCheck },
        { "invalid_payload", LicensingMessageKind.CannotCheck },
        { "missing_payload", LicensingMessageKind.CannotCheck },
        { "missing_signature", LicensingMessageKind.CannotCheck },
        { "missing_sessionToken", LicensingMessageKind.CannotCheck },
        { "missing_expiresIn", LicensingMessageKind.CannotCheck },
        { "missing_sigKey", LicensingMessageKind.CannotCheck },
        { "invalid_keyId", LicensingMessageKind.CannotCheck },
        { "http_error_404", LicensingMessageKind.CannotCheck },
        { "app_disabled", LicensingMessageKind.TemporarilyUnavailable },
        { "no_credits", LicensingMessageKind.TemporarilyUnavailable },
        { "app_burn_cap_reached", LicensingMessageKind.TemporarilyUnavailable },
        { "demo_quota_exceeded", LicensingMessageKind.TemporarilyUnavailable },
        { "rate_limited", LicensingMessageKind.TemporarilyUnavailable },
        { "system_error", LicensingMessageKind.TemporarilyUnavailable },
        { "server_error", LicensingMessageKind.TemporarilyUnavailable },
        { "replay_detected", LicensingMessageKind.TemporarilyUnavailable },
        { "network_error", LicensingMessageKind.TemporarilyUnavailable },
        { "invalid_json_response", LicensingMessageKind.TemporarilyUnavailable },
        { "response_not_json_object", LicensingMessageKind.TemporarilyUnavailable },
        { "http_error_408", LicensingMessageKind.TemporarilyUnavailable },
        { "http_error_429", LicensingMessageKind.TemporarilyUnavailable },
        { "http_error_503", LicensingMessageKind.TemporarilyUnavailable },
        { "nonce_mismatch", LicensingMessageKind.Unverified },
        { "signature_mismatch", LicensingMessageKind.Unverified },
    };

    [Theory, MemberData(nameof(Codes))]
    public void Each_code_maps_to_its_message_and_no_message_shows_a_code(string code, LicensingMessageKind kind)
    {
        Assert.Equal(kind, LicensingMessages.KindOf(code));
        var text = LicensingMessages.ForCode(code);
        Assert.DoesNotContain('_', text);
        if (code.Contains('_')) Assert.DoesNotContain(code, text, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith(".", text);
    }

    [Fact]
    public void Billing_problems_read_like_any_outage()
    {
        Assert.Equal("The licensing service is temporarily unavailable. Please try again later.", LicensingMessages.ForCode("no_credits"));
        Assert.Equal(LicensingMessages.ForCode("system_error"), LicensingMessages.ForCode("app_burn_cap_reached"));
        Assert.Equal("That license key was not recognised. Please check it and try again.", LicensingMessages.ForCode("invalid_key"));
    }

    [Fact]
    public void Messages_can_be_localised_and_fall_back_to_english()
    {
        var german = new LicensingMessages(new Dictionary<LicensingMessageKind, string>
        {
            [LicensingMessageKind.LicenseExpired] = "Ihre Lizenz ist abgelaufen.",
        });
        Assert.Equal("Ihre Lizenz ist abgelaufen.", german.Get("expired"));
        Assert.Equal(LicensingMessages.ForCode("revoked"), german.Get("revoked"));
    }
}
