using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

public sealed class SessionTokenTests
{
    // §19.1: the secret the official HMAC vectors' tokens are MAC'd with.
    private const string VectorSessionSecret = "authforge-dev-session-signing-secret-rotate-before-production";
    private const string NewSecret = "a-newer-session-secret-put-first-at-rotation-0002";

    private readonly SessionTokenCodec _codec = new([AppendixA.SessionSecret]);

    public static TheoryData<long, string?, string, string> AppendixTokens => new()
    {
        { AppendixA.ValidateUnix, null, AppendixA.A1.TokenBodyJson, AppendixA.A1.SessionToken },
        { AppendixA.HeartbeatUnix, null, AppendixA.A2.TokenBodyJson, AppendixA.A2.SessionToken },
        { AppendixA.ValidateUnix, AppendixA.SigKey, AppendixA.A4.TokenBodyJson, AppendixA.A4.SessionToken },
        { AppendixA.HeartbeatUnix, AppendixA.SigKey, AppendixA.A5.TokenBodyJson, AppendixA.A5.SessionToken },
    };

    [Theory]
    [MemberData(nameof(AppendixTokens))]
    public void Issue_reproduces_the_appendix_tokens_byte_for_byte(long iat, string? sigKey, string bodyJson, string token)
    {
        var issued = _codec.Issue(AppendixA.TokenBody(iat, sigKey));

        Assert.Equal(token, issued);
        Assert.Equal(bodyJson, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(issued.AsSpan(0, issued.IndexOf('.')))));
    }

    [Theory]
    [InlineData(AppendixA.ValidateUnix, null, AppendixA.A1.SessionToken)]
    [InlineData(AppendixA.HeartbeatUnix, null, AppendixA.A2.SessionToken)]
    [InlineData(AppendixA.ValidateUnix, AppendixA.SigKey, AppendixA.A4.SessionToken)]
    [InlineData(AppendixA.HeartbeatUnix, AppendixA.SigKey, AppendixA.A5.SessionToken)]
    public void The_appendix_tokens_verify_to_their_bodies(long iat, string? sigKey, string token)
    {
        Assert.True(_codec.TryVerify(token, AppendixA.AppId, iat, out var body));
        Assert.Equal(AppendixA.TokenBody(iat, sigKey), body);
        Assert.Equal(body.Exp, body.ExpiresIn);
    }

    [Theory]
    [InlineData("hmac-v1.json", "HPHTG2Q17K1ydIwVnHhoZPN59MApEncHPGQiesGBqc0")]
    [InlineData("hmac-v2.json", "wX4doxWsyIH-gAgtjh15ErO0asoukhBCgfjGrNYliZg")]
    public void Reproduces_the_mac_of_the_token_inside_an_official_hmac_vector(string file, string expectedMac)
    {
        using var vector = SpecVectors.Load(file);
        var inputs = vector.RootElement.TryGetProperty("inputs", out var v1) ? v1 : vector.RootElement.GetProperty("validate").GetProperty("inputs");
        using var payload = JsonDocument.Parse(Convert.FromBase64String(inputs.GetProperty("payload").GetString()!));
        var token = payload.RootElement.GetProperty("sessionToken").GetString()!;
        var segments = token.Split('.');
        Assert.Equal(2, segments.Length);

        var mac = new SessionTokenCodec([VectorSessionSecret]).ComputeMac(segments[0]);

        Assert.Equal(expectedMac, mac);
        Assert.Equal(segments[1], mac);
    }

    [Fact]
    public void A_token_issued_under_a_rotated_out_secret_still_verifies()
    {
        var rotated = new SessionTokenCodec([NewSecret, AppendixA.SessionSecret]);

        Assert.True(rotated.TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId, AppendixA.ValidateUnix, out var body));
        Assert.Equal(AppendixA.TokenBody(AppendixA.ValidateUnix), body);
        // New tokens are MAC'd with the first secret only.
        var issued = rotated.Issue(AppendixA.TokenBody(AppendixA.ValidateUnix));
        Assert.NotEqual(AppendixA.A1.SessionToken, issued);
        Assert.False(_codec.TryVerify(issued, AppendixA.AppId, AppendixA.ValidateUnix, out _));
        Assert.True(new SessionTokenCodec([NewSecret]).TryVerify(issued, AppendixA.AppId, AppendixA.ValidateUnix, out _));
    }

    [Fact]
    public void A_token_under_an_unknown_secret_is_rejected()
    {
        Assert.False(new SessionTokenCodec([NewSecret]).TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId, AppendixA.ValidateUnix, out var body));
        Assert.Null(body);
    }

    [Fact]
    public void A_tampered_body_or_mac_is_rejected()
    {
        var token = AppendixA.A1.SessionToken;
        var dot = token.IndexOf('.');

        Assert.False(Verify(Flip(token, 10)));
        Assert.False(Verify(Flip(token, dot - 1)));
        Assert.False(Verify(Flip(token, dot + 1)));
        Assert.False(Verify(Flip(token, token.Length - 1)));
        Assert.False(Verify(token[..^1]));
        Assert.False(Verify(token + "A"));
        // A body from another token with this token's MAC.
        Assert.False(Verify(AppendixA.A2.SessionToken[..AppendixA.A2.SessionToken.IndexOf('.')] + token[dot..]));
    }

    [Fact]
    public void A_token_for_another_app_is_rejected()
    {
        Assert.False(_codec.TryVerify(AppendixA.A1.SessionToken, "another-app", AppendixA.ValidateUnix, out _));
        Assert.False(_codec.TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId.ToUpperInvariant(), AppendixA.ValidateUnix, out _));
    }

    [Fact]
    public void A_token_is_valid_until_just_before_exp()
    {
        const long exp = AppendixA.ValidateUnix + AppendixA.Ttl;

        Assert.True(_codec.TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId, exp - 1, out _));
        Assert.False(_codec.TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId, exp, out _));
        Assert.False(_codec.TryVerify(AppendixA.A1.SessionToken, AppendixA.AppId, exp + 1, out _));
    }

    [Theory]
    [InlineData(3599, false)]
    [InlineData(3600, true)]
    [InlineData(604800, true)]
    [InlineData(604801, false)]
    [InlineData(0, false)]
    [InlineData(-86400, false)]
    public void Ttl_must_lie_within_one_hour_and_seven_days(long ttl, bool valid)
    {
        Assert.Equal(valid, Verify(Forge(Body(ttl: ttl.ToString()))));
    }

    [Fact]
    public void Exp_must_equal_expiresIn()
    {
        Assert.False(Verify(Forge(Body(expiresIn: "1893542401"))));
        Assert.True(Verify(Forge(Body(expiresIn: "1893542400"))));
    }

    [Fact]
    public void Padding_is_rejected_in_either_segment()
    {
        var json = new[] { "a", "ab", "abc" }.Select(hwid => Body(hwid: hwid)).First(body => Encoding.UTF8.GetByteCount(body) % 3 != 0);
        var first = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        Assert.NotEqual(0, first.Length % 4);
        var padded = first + new string('=', 4 - first.Length % 4);

        Assert.True(Verify(first + "." + _codec.ComputeMac(first)));
        Assert.False(Verify(padded + "." + _codec.ComputeMac(padded)));
        Assert.False(Verify(first + "." + _codec.ComputeMac(first) + "="));
    }

    [Fact]
    public void Exactly_one_dot_is_allowed()
    {
        var token = AppendixA.A1.SessionToken;
        var first = token[..token.IndexOf('.')];
        var twoDots = first + "." + first + "." + _codec.ComputeMac(first + "." + first);

        Assert.False(Verify(twoDots));
        Assert.False(Verify(token + "."));
        Assert.False(Verify("." + token));
        Assert.False(Verify(token.Replace(".", "", StringComparison.Ordinal)));
        Assert.False(Verify(token.Replace(".", "..", StringComparison.Ordinal)));
    }

    [Fact]
    public void Tokens_longer_than_4096_characters_are_rejected_even_with_a_valid_mac()
    {
        string? longestAccepted = null, shortestRejected = null;
        for (var hwidLength = 2800; hwidLength < 3200 && shortestRejected is null; hwidLength++)
        {
            var token = _codec.Issue(AppendixA.TokenBody(AppendixA.ValidateUnix) with { Hwid = new string('h', hwidLength) });
            if (token.Length <= SessionTokenCodec.MaxTokenLength)
            {
                Assert.True(Verify(token), $"{token.Length} characters");
                longestAccepted = token;
            }
            else
            {
                Assert.False(Verify(token), $"{token.Length} characters");
                shortestRejected = token;
            }
        }

        Assert.NotNull(longestAccepted);
        Assert.NotNull(shortestRejected);
        Assert.InRange(longestAccepted.Length, 4093, 4096);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"sid\":\"x\"")]
    public void A_first_segment_that_is_not_a_json_object_is_rejected(string json)
    {
        Assert.False(Verify(Forge(json)));
    }

    [Fact]
    public void Trailing_content_after_the_body_object_is_rejected()
    {
        Assert.False(Verify(Forge(Body() + "{}")));
        Assert.False(Verify(Forge(Body() + "x")));
        Assert.True(Verify(Forge(Body() + " \n")));
    }

    [Theory]
    [InlineData("sid")]
    [InlineData("appId")]
    [InlineData("licenseKey")]
    [InlineData("hwid")]
    [InlineData("ttl")]
    [InlineData("iat")]
    [InlineData("exp")]
    [InlineData("expiresIn")]
    public void Every_required_key_must_be_present(string key)
    {
        using var document = JsonDocument.Parse(Body());
        var without = "{" + string.Join(",", document.RootElement.EnumerateObject().Where(p => p.Name != key).Select(p => p.ToString())) + "}";

        Assert.False(Verify(Forge(without)));
    }

    [Theory]
    [InlineData("{\"sid\":1}")]
    [InlineData("{\"sid\":null}")]
    [InlineData("{\"hwid\":[\"a\"]}")]
    [InlineData("{\"ttl\":\"86400\"}")]
    [InlineData("{\"ttl\":86400.5}")]
    [InlineData("{\"iat\":true}")]
    [InlineData("{\"exp\":null,\"expiresIn\":null}")]
    [InlineData("{\"sigKey\":42}")]
    [InlineData("{\"sigKey\":null}")]
    [InlineData("{\"sigKey\":{}}")]
    [InlineData("{\"exp\":1e400,\"expiresIn\":1e400}")]
    public void Keys_of_the_wrong_type_are_rejected(string overrides)
    {
        Assert.False(Verify(Forge(Merge(Body(), overrides))));
    }

    [Theory]
    [InlineData("{\"ttl\":86400.0}")]
    [InlineData("{\"exp\":1893542400.000,\"expiresIn\":1.8935424E9}")]
    [InlineData("{\"iat\":1893456e3}")]
    public void Integers_may_be_written_with_a_zero_fraction_or_an_exponent(string overrides)
    {
        Assert.True(_codec.TryVerify(Forge(Merge(Body(), overrides)), AppendixA.AppId, AppendixA.ValidateUnix, out var body));
        Assert.Equal(AppendixA.TokenBody(AppendixA.ValidateUnix), body);
    }

    [Fact]
    public void Duplicate_keys_are_rejected_and_unknown_keys_ignored()
    {
        Assert.False(Verify(Forge(Body().Replace("{\"sid\"", "{\"sid\":\"other\",\"sid\"", StringComparison.Ordinal))));
        Assert.True(Verify(Forge(Body().Replace("{\"sid\"", "{\"extra\":{\"nested\":[1,{\"sid\":2}]},\"sid\"", StringComparison.Ordinal))));
    }

    [Fact]
    public void SigKey_is_optional_and_carried_when_present()
    {
        Assert.True(_codec.TryVerify(Forge(Body()), AppendixA.AppId, AppendixA.ValidateUnix, out var without));
        Assert.True(_codec.TryVerify(Forge(Merge(Body(), "{\"sigKey\":\"" + AppendixA.SigKey + "\"}")), AppendixA.AppId, AppendixA.ValidateUnix, out var with));

        Assert.Null(without.SigKey);
        Assert.Equal(AppendixA.SigKey, with.SigKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData(".abc")]
    [InlineData("abc.")]
    [InlineData("ab+c.def")]
    [InlineData("abc.de/f")]
    public void Malformed_tokens_are_rejected(string? token)
    {
        Assert.False(_codec.TryVerify(token, AppendixA.AppId, AppendixA.ValidateUnix, out var body));
        Assert.Null(body);
    }

    [Fact]
    public void Surrounding_white_space_is_trimmed()
    {
        Assert.True(Verify("  " + AppendixA.A1.SessionToken + "\r\n\t"));
        Assert.False(Verify(AppendixA.A1.SessionToken.Insert(20, " ")));
    }

    [Fact]
    public void Strings_outside_ascii_round_trip()
    {
        var body = AppendixA.TokenBody(AppendixA.ValidateUnix) with { Hwid = "tg:123 \"quoted\" \\ Ünïcode 😀 \u0001" };

        var token = _codec.Issue(body);

        Assert.True(_codec.TryVerify(token, AppendixA.AppId, AppendixA.ValidateUnix, out var verified));
        Assert.Equal(body, verified);
        Assert.Contains("Ünïcode 😀", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.')))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3599)]
    [InlineData(604801)]
    public void Issue_refuses_a_ttl_that_would_never_verify(long ttl)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _codec.Issue(AppendixA.TokenBody(AppendixA.ValidateUnix) with { Ttl = ttl }));
    }

    [Fact]
    public void Secrets_are_required()
    {
        Assert.Throws<ArgumentException>(() => new SessionTokenCodec([]));
        Assert.Throws<ArgumentException>(() => new SessionTokenCodec([AppendixA.SessionSecret, ""]));
    }

    [Fact]
    public void New_sids_and_sigKeys_are_random_lowercase_hex()
    {
        var sids = Enumerable.Range(0, 100).Select(_ => SessionTokenCodec.NewSid()).ToArray();
        var sigKeys = Enumerable.Range(0, 100).Select(_ => SessionTokenCodec.NewSigKey()).ToArray();

        Assert.All(sids, sid => Assert.Matches("^[0-9a-f]{32}$", sid));
        Assert.All(sigKeys, sigKey => Assert.Matches("^[0-9a-f]{64}$", sigKey));
        Assert.Equal(100, sids.Distinct().Count());
        Assert.Equal(100, sigKeys.Distinct().Count());
    }

    [Fact]
    public void The_body_never_prints_its_sigKey()
    {
        Assert.DoesNotContain(AppendixA.SigKey, AppendixA.TokenBody(AppendixA.ValidateUnix, AppendixA.SigKey).ToString(), StringComparison.Ordinal);
    }

    private bool Verify(string token) => _codec.TryVerify(token, AppendixA.AppId, AppendixA.ValidateUnix, out _);

    /// <summary>A token with a valid MAC around arbitrary body text.</summary>
    private string Forge(string json)
    {
        var first = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return first + "." + _codec.ComputeMac(first);
    }

    /// <summary>The A.1 token body with some values replaced by JSON text.</summary>
    private static string Body(string ttl = "86400", string expiresIn = "1893542400", string hwid = AppendixA.Hwid) =>
        $"{{\"sid\":\"{AppendixA.Sid}\",\"appId\":\"{AppendixA.AppId}\",\"licenseKey\":\"{AppendixA.LicenseKey}\",\"hwid\":\"{hwid}\"," +
        $"\"ttl\":{ttl},\"iat\":{AppendixA.ValidateUnix},\"exp\":1893542400,\"expiresIn\":{expiresIn}}}";

    /// <summary>Replaces (or adds) the keys of <paramref name="overrides"/> in <paramref name="json"/>, keeping raw value text.</summary>
    private static string Merge(string json, string overrides)
    {
        using var original = JsonDocument.Parse(json);
        using var replacements = JsonDocument.Parse(overrides);
        var values = original.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        foreach (var property in replacements.RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.GetRawText();
        }
        return "{" + string.Join(",", values.Select(p => JsonSerializer.Serialize(p.Key) + ":" + p.Value)) + "}";
    }

    private static string Flip(string token, int index)
    {
        var chars = token.ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
