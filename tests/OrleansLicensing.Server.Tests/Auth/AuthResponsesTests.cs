using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Auth;

public sealed class AuthResponsesTests
{
    /// <summary>The registry of docs/protocol.md §3.5, written out independently of the implementation.</summary>
    public static TheoryData<AuthError, string, int> Registry() => new()
    {
        { AuthError.BadRequest, "bad_request", 400 },
        { AuthError.InvalidApp, "invalid_app", 401 },
        { AuthError.InvalidKey, "invalid_key", 401 },
        { AuthError.SessionExpired, "session_expired", 401 },
        { AuthError.ReplayDetected, "replay_detected", 401 },
        { AuthError.Blocked, "blocked", 403 },
        { AuthError.AppDisabled, "app_disabled", 403 },
        { AuthError.HwidMismatch, "hwid_mismatch", 403 },
        { AuthError.RevokeRequiresSession, "revoke_requires_session", 403 },
        { AuthError.Expired, "expired", 410 },
        { AuthError.Revoked, "revoked", 410 },
        { AuthError.RateLimited, "rate_limited", 429 },
        { AuthError.NoCredits, "no_credits", 429 },
        { AuthError.AppBurnCapReached, "app_burn_cap_reached", 429 },
        { AuthError.SystemError, "system_error", 500 },
    };

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string BodyOf(HttpResponse response) => Encoding.UTF8.GetString(((MemoryStream)response.Body).ToArray());

    private static void AssertCommonHeaders(HttpResponse response, string body)
    {
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal("no-store", response.Headers.CacheControl.ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.ContentLength);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Equal("status", document.RootElement.EnumerateObject().First().Name);
    }

    [Fact]
    public void Registry_covers_every_error_with_its_code_and_semantic_status()
    {
        var expected = Registry().Select(row => (AuthError)row.Data.Item1).ToArray();

        Assert.Equal(expected, AuthErrors.All);
        Assert.Equal(Enum.GetValues<AuthError>(), AuthErrors.All);
        foreach (var row in Registry())
        {
            var (error, code, status) = row.Data;
            Assert.Equal(code, error.Code());
            Assert.Equal(status, error.SemanticStatus());
            Assert.Equal(200, error.HttpStatus(FailureMode.Always200));
            Assert.Equal(status, error.HttpStatus(FailureMode.Semantic));
        }
    }

    [Fact]
    public void Reserved_codes_cannot_be_produced()
    {
        Assert.Equal(["malformed_request", "demo_quota_exceeded", "server_error", "checksum_required", "checksum_mismatch"], AuthErrors.ReservedCodes);
        var codes = AuthErrors.All.Select(error => error.Code()).ToArray();
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.Empty(codes.Intersect(AuthErrors.ReservedCodes));
        Assert.DoesNotContain(AuthErrors.NotFoundCode, codes);
        Assert.DoesNotContain(AuthErrors.MethodNotAllowedCode, codes);
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AuthError)99).Code());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AuthError)(-1)).SemanticStatus());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AuthError)15).HttpStatus(FailureMode.Always200));
        Assert.Throws<ArgumentOutOfRangeException>(() => AuthError.Blocked.HttpStatus((FailureMode)7));
    }

    [Theory]
    [MemberData(nameof(Registry))]
    public async Task Every_failure_is_the_exact_envelope_with_status_200_in_always200_and_the_semantic_status_otherwise(AuthError error, string code, int semantic)
    {
        IReadOnlyList<string>? details = error == AuthError.BadRequest ? ["appId: required"] : null;
        int? retryAfter = error == AuthError.RateLimited ? 12 : null;
        var expectedBody = error == AuthError.BadRequest
            ? $$"""{"status":"failed","error":"{{code}}","details":["appId: required"]}"""
            : $$"""{"status":"failed","error":"{{code}}"}""";

        foreach (var (mode, status) in new[] { (FailureMode.Always200, 200), (FailureMode.Semantic, semantic) })
        {
            var context = NewContext();

            await AuthResponses.WriteFailureAsync(context.Response, error, mode, details, retryAfter);

            var body = BodyOf(context.Response);
            Assert.Equal(expectedBody, body);
            Assert.Equal(status, context.Response.StatusCode);
            AssertCommonHeaders(context.Response, body);
            if (error == AuthError.RateLimited)
            {
                Assert.Equal("12", context.Response.Headers.RetryAfter.ToString());
            }
            else
            {
                Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
            }
            Assert.False(context.Response.Headers.ContainsKey("Allow"));
        }
    }

    [Fact]
    public async Task Bad_request_of_appendix_A6_is_byte_exact_in_both_modes()
    {
        var details = AuthRequestReader.ReadValidate("""{"appId":"x","hwid":"h","nonce":"abc"}"""u8).Details;
        var always200 = NewContext();
        var semantic = NewContext();

        await AuthResponses.WriteBadRequestAsync(always200.Response, details, FailureMode.Always200);
        await AuthResponses.WriteFailureAsync(semantic.Response, AuthError.BadRequest, FailureMode.Semantic, details);

        const string Expected = """{"status":"failed","error":"bad_request","details":["appSecret: required","licenseKey: required","nonce: too short (min 8 characters)"]}""";
        Assert.Equal(Expected, BodyOf(always200.Response));
        Assert.Equal(Expected, BodyOf(semantic.Response));
        Assert.Equal(200, always200.Response.StatusCode);
        Assert.Equal(400, semantic.Response.StatusCode);
    }

    [Fact]
    public async Task Too_large_body_is_a_bad_request_with_one_detail()
    {
        var context = NewContext();

        await AuthResponses.WriteBadRequestAsync(context.Response, AuthRequestReader.BodyTooLargeDetails, FailureMode.Semantic);

        Assert.Equal("""{"status":"failed","error":"bad_request","details":["body: too large (max 16384 bytes)"]}""", BodyOf(context.Response));
        Assert.Equal(400, context.Response.StatusCode);
    }

    [Fact]
    public async Task Details_naming_client_keys_are_escaped_as_valid_json()
    {
        var details = AuthRequestReader.ReadValidate(Encoding.UTF8.GetBytes("{\"<é\\\">\":1,\"<é\\\">\":2}")).Details;
        var context = NewContext();

        await AuthResponses.WriteBadRequestAsync(context.Response, details, FailureMode.Always200);

        var body = BodyOf(context.Response);
        Assert.All(body, c => Assert.InRange(c, '\x20', '\x7E')); // ASCII only on the wire
        using var document = JsonDocument.Parse(body);
        Assert.Equal("<é\">: duplicate key", document.RootElement.GetProperty("details")[0].GetString());
    }

    [Theory]
    [InlineData(FailureMode.Always200, 200)]
    [InlineData(FailureMode.Semantic, 429)]
    public async Task Rate_limited_carries_retry_after_in_both_modes(FailureMode mode, int status)
    {
        var context = NewContext();

        await AuthResponses.WriteRateLimitedAsync(context.Response, 12, mode);

        Assert.Equal("""{"status":"failed","error":"rate_limited"}""", BodyOf(context.Response));
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("12", context.Response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task Retry_after_is_at_least_one_second(int seconds)
    {
        var context = NewContext();

        await AuthResponses.WriteRateLimitedAsync(context.Response, seconds, FailureMode.Always200);

        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_stale_retry_after_is_removed_from_other_failures()
    {
        var context = NewContext();
        context.Response.Headers.RetryAfter = "5";

        await AuthResponses.WriteFailureAsync(context.Response, AuthError.NoCredits, FailureMode.Semantic);

        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task Failure_arguments_must_match_the_error()
    {
        var response = NewContext().Response;

        await Assert.ThrowsAsync<ArgumentException>(() => AuthResponses.WriteFailureAsync(response, AuthError.BadRequest, FailureMode.Always200));
        await Assert.ThrowsAsync<ArgumentException>(() => AuthResponses.WriteFailureAsync(response, AuthError.BadRequest, FailureMode.Always200, []));
        await Assert.ThrowsAsync<ArgumentException>(() => AuthResponses.WriteFailureAsync(response, AuthError.InvalidKey, FailureMode.Always200, ["x: y"]));
        await Assert.ThrowsAsync<ArgumentException>(() => AuthResponses.WriteFailureAsync(response, AuthError.RateLimited, FailureMode.Always200));
        await Assert.ThrowsAsync<ArgumentException>(() => AuthResponses.WriteFailureAsync(response, AuthError.NoCredits, FailureMode.Always200, retryAfterSeconds: 3));
        Assert.Equal(0, response.Body.Length);
    }

    [Theory]
    [InlineData(true, true, true, """{"status":"success","revoked":true,"hwidBlacklisted":true,"ipBlacklisted":true}""")]
    [InlineData(false, true, false, """{"status":"success","revoked":false,"hwidBlacklisted":true,"ipBlacklisted":false}""")]
    [InlineData(false, false, false, """{"status":"success","revoked":false,"hwidBlacklisted":false,"ipBlacklisted":false}""")]
    public async Task Selfban_success_is_the_exact_unsigned_body_with_status_200(bool revoked, bool hwid, bool ip, string expected)
    {
        var context = NewContext();

        await AuthResponses.WriteSelfBanSuccessAsync(context.Response, revoked, hwid, ip);

        var body = BodyOf(context.Response);
        Assert.Equal(expected, body);
        Assert.Equal(200, context.Response.StatusCode);
        AssertCommonHeaders(context.Response, body);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task Wrong_method_is_a_405_allowing_post()
    {
        var context = NewContext();

        await AuthResponses.WriteMethodNotAllowedAsync(context.Response);

        var body = BodyOf(context.Response);
        Assert.Equal("""{"status":"failed","error":"method_not_allowed"}""", body);
        Assert.Equal(405, context.Response.StatusCode);
        Assert.Equal("POST", context.Response.Headers.Allow.ToString());
        AssertCommonHeaders(context.Response, body);
    }

    [Fact]
    public async Task Unknown_auth_path_is_a_404()
    {
        var context = NewContext();

        await AuthResponses.WriteNotFoundAsync(context.Response);

        var body = BodyOf(context.Response);
        Assert.Equal("""{"status":"failed","error":"not_found"}""", body);
        Assert.Equal(404, context.Response.StatusCode);
        AssertCommonHeaders(context.Response, body);
        Assert.False(context.Response.Headers.ContainsKey("Allow"));
    }

    [Fact]
    public void Failure_body_is_available_without_a_response()
    {
        Assert.Equal("""{"status":"failed","error":"system_error"}""", Encoding.UTF8.GetString(AuthResponses.FailureBody(AuthError.SystemError)));
        Assert.Equal("""{"status":"failed","error":"bad_request","details":["a: b"]}""", Encoding.UTF8.GetString(AuthResponses.FailureBody(AuthError.BadRequest, ["a: b"])));
    }
}
