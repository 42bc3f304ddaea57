using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OrleansLicensing.Server.Auth;

public sealed class AuthRequestReaderTests
{
    private const string Nonce = "6f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string Emoji = "\U0001F511"; // one code point, two UTF-16 units

    // ---- bodies -------------------------------------------------------------------------------

    private static readonly (string Key, string Raw)[] ValidateBase =
    [
        ("appId", S("5b0f3c8e-7a4d-4e21-9c6b-2f8e1d3a9b70")),
        ("appSecret", S("e3b7c1a2-0000-4000-8000-000000000000")),
        ("licenseKey", S("7KQM-3XZP-W9RT-H2CV")),
        ("hwid", S("dcf59d45ce7b7df498dccd6197d824c076052151187fceb83aede010fd1c0fbf")),
        ("nonce", S(Nonce)),
    ];

    private static readonly (string Key, string Raw)[] HeartbeatBase =
    [
        ("appId", S("app")),
        ("sessionToken", S("eyJzaWQiOiJ4In0.c2ln")),
        ("nonce", S(Nonce)),
        ("hwid", S("hwid-1")),
    ];

    private static readonly (string Key, string Raw)[] PostSessionBase =
    [
        ("appId", S("app")),
        ("sessionToken", S("eyJzaWQiOiJ4In0.c2ln")),
        ("hwid", S("hwid-1")),
    ];

    private static readonly (string Key, string Raw)[] PreSessionBase =
    [
        ("appId", S("app")),
        ("appSecret", S("secret")),
        ("licenseKey", S("KEY-1")),
        ("hwid", S("hwid-1")),
        ("nonce", S(Nonce)),
    ];

    /// <summary>A JSON string literal.</summary>
    private static string S(string value) => JsonSerializer.Serialize(value);

    private static string Body(IEnumerable<(string Key, string Raw)> members) =>
        "{" + string.Join(",", members.Select(m => $"{S(m.Key)}:{m.Raw}")) + "}";

    /// <summary>The base body with one key replaced (raw JSON) or removed (<see langword="null"/>), or appended when new.</summary>
    private static string With((string Key, string Raw)[] members, string key, string? raw)
    {
        var list = members.ToList();
        var index = list.FindIndex(m => m.Key == key);
        if (raw is null)
        {
            if (index >= 0) list.RemoveAt(index);
        }
        else if (index >= 0)
        {
            list[index] = (key, raw);
        }
        else
        {
            list.Add((key, raw));
        }
        return Body(list);
    }

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    private static IReadOnlyList<string> Details(string endpoint, string json) => Read(endpoint, Utf8(json)).Details;

    private static (IReadOnlyList<string> Details, string? AppIdForMode, object? Request) Read(string endpoint, byte[] body) => endpoint switch
    {
        "validate" => Unpack(AuthRequestReader.ReadValidate(body)),
        "heartbeat" => Unpack(AuthRequestReader.ReadHeartbeat(body)),
        "selfban" => Unpack(AuthRequestReader.ReadSelfBan(body)),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    private static (IReadOnlyList<string>, string?, object?) Unpack<T>(AuthRequestReadResult<T> result) where T : class
    {
        Assert.Equal(result.IsValid, result.Details.Count == 0);
        Assert.Equal(result.IsValid, result.Request is not null);
        return (result.Details, result.AppIdForMode, result.Request);
    }

    private static (string Key, string Raw)[] BaseOf(string form) => form switch
    {
        "validate" => ValidateBase,
        "heartbeat" => HeartbeatBase,
        "selfban-post" => PostSessionBase,
        "selfban-pre" => PreSessionBase,
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    private static string EndpointOf(string form) => form.StartsWith("selfban", StringComparison.Ordinal) ? "selfban" : form;

    // ---- the worked examples --------------------------------------------------------------------

    [Fact]
    public void Validate_body_of_appendix_A6_reports_exactly_its_three_problems()
    {
        var result = AuthRequestReader.ReadValidate("""{"appId":"x","hwid":"h","nonce":"abc"}"""u8);

        Assert.False(result.IsValid);
        Assert.Equal(["appSecret: required", "licenseKey: required", "nonce: too short (min 8 characters)"], result.Details);
        Assert.Equal("x", result.AppIdForMode);
    }

    [Fact]
    public void Validate_body_of_section_3_3_example_reports_license_key_then_nonce()
    {
        var result = AuthRequestReader.ReadValidate("""{"appId":"x","appSecret":"s","hwid":"h","nonce":"abc"}"""u8);

        Assert.Equal(["licenseKey: required", "nonce: too short (min 8 characters)"], result.Details);
    }

    // ---- success ------------------------------------------------------------------------------

    [Fact]
    public void Validate_accepts_a_complete_body_trimming_license_key_and_hwid_only()
    {
        var json = """{"appId":" app ","appSecret":" s ","licenseKey":"  7kqm-3xzp w9rt  ","hwid":"\t HW-1 \n","nonce":"!abcdef~","ttlSeconds":7200}""";

        var result = AuthRequestReader.ReadValidate(Utf8(json));

        Assert.True(result.IsValid);
        Assert.Equal(new ValidateRequest(" app ", " s ", "7kqm-3xzp w9rt", "HW-1", "!abcdef~", 7200), result.Request);
        Assert.Equal(" app ", result.AppIdForMode);
    }

    [Fact]
    public void Validate_without_ttl_has_no_ttl()
    {
        var result = AuthRequestReader.ReadValidate(Utf8(Body(ValidateBase)));

        Assert.True(result.IsValid);
        Assert.Null(result.Request.TtlSeconds);
        Assert.Equal("7KQM-3XZP-W9RT-H2CV", result.Request.LicenseKey);
    }

    [Fact]
    public void Validate_accepts_any_license_key_text_without_canonicalising_it()
    {
        var result = AuthRequestReader.ReadValidate(Utf8(With(ValidateBase, "licenseKey", S("not a key at all, " + Emoji + new string('x', 500)))));

        Assert.True(result.IsValid);
        Assert.Equal("not a key at all, " + Emoji + new string('x', 500), result.Request.LicenseKey);
    }

    [Fact]
    public void Heartbeat_accepts_a_complete_body_trimming_session_token_and_hwid()
    {
        var json = """{"appId":"app","sessionToken":"  tok.sig  ","nonce":"abcdefgh","hwid":" HW "}""";

        var result = AuthRequestReader.ReadHeartbeat(Utf8(json));

        Assert.True(result.IsValid);
        Assert.Equal(new HeartbeatRequest("app", "tok.sig", "abcdefgh", "HW"), result.Request);
    }

    [Fact]
    public void Heartbeat_accepts_a_long_session_token()
    {
        var token = new string('a', 12000) + "." + new string('b', 43);

        var result = AuthRequestReader.ReadHeartbeat(Utf8(With(HeartbeatBase, "sessionToken", S(token))));

        Assert.True(result.IsValid);
        Assert.Equal(token, result.Request.SessionToken);
    }

    [Fact]
    public void Selfban_with_a_session_token_is_the_post_session_form_with_every_flag_defaulting_to_true()
    {
        var result = AuthRequestReader.ReadSelfBan(Utf8("""{"appId":"app","sessionToken":" tok.sig ","hwid":" hw "}"""));

        Assert.True(result.IsValid);
        Assert.Equal(new PostSessionSelfBanRequest("app", "tok.sig", "hw", RevokeLicense: true, BlacklistHwid: true, BlacklistIp: true), result.Request);
    }

    [Fact]
    public void Selfban_without_a_session_token_is_the_pre_session_form_with_revoke_defaulting_to_false()
    {
        var result = AuthRequestReader.ReadSelfBan(Utf8(Body(PreSessionBase)));

        Assert.True(result.IsValid);
        Assert.Equal(new PreSessionSelfBanRequest("app", "secret", "KEY-1", "hwid-1", Nonce, RevokeLicense: false, BlacklistHwid: true, BlacklistIp: true), result.Request);
    }

    [Fact]
    public void Selfban_with_a_null_session_token_is_the_pre_session_form()
    {
        var result = AuthRequestReader.ReadSelfBan(Utf8(With(PreSessionBase, "sessionToken", "null")));

        Assert.IsType<PreSessionSelfBanRequest>(result.Request);
    }

    [Fact]
    public void Selfban_flags_are_read_in_both_forms()
    {
        var post = AuthRequestReader.ReadSelfBan(Utf8(Body([.. PostSessionBase, ("revokeLicense", "false"), ("blacklistHwid", "false"), ("blacklistIp", "null")])));
        var pre = AuthRequestReader.ReadSelfBan(Utf8(Body([.. PreSessionBase, ("revokeLicense", "true"), ("blacklistHwid", "null"), ("blacklistIp", "false")])));

        Assert.Equal(new PostSessionSelfBanRequest("app", "eyJzaWQiOiJ4In0.c2ln", "hwid-1", false, false, true), post.Request);
        Assert.Equal(new PreSessionSelfBanRequest("app", "secret", "KEY-1", "hwid-1", Nonce, true, true, false), pre.Request);
    }

    [Fact]
    public void Post_session_selfban_does_not_check_the_fields_it_ignores()
    {
        var json = Body([.. PostSessionBase, ("appSecret", "5"), ("licenseKey", "[]"), ("nonce", S("x"))]);

        var result = AuthRequestReader.ReadSelfBan(Utf8(json));

        Assert.True(result.IsValid);
        Assert.IsType<PostSessionSelfBanRequest>(result.Request);
    }

    [Fact]
    public void Post_session_selfban_of_a_session_token_of_the_wrong_type_stays_post_session()
    {
        Assert.Equal(["appId: required", "sessionToken: must be a string", "hwid: required"], Details("selfban", """{"sessionToken":42,"appSecret":1}"""));
    }

    // ---- fields in table order ------------------------------------------------------------------

    [Fact]
    public void Validate_body_reports_every_field_problem_in_table_order()
    {
        var json = """{"ttlSeconds":"3600","nonce":"short","hwid":"   ","licenseKey":5,"appSecret":null,"unknown":true}""";

        Assert.Equal(
            ["appId: required", "appSecret: required", "licenseKey: must be a string", "hwid: must not be empty", "nonce: too short (min 8 characters)", "ttlSeconds: must be an integer"],
            Details("validate", json));
    }

    [Fact]
    public void Empty_object_reports_every_required_field_in_table_order()
    {
        Assert.Equal(["appId: required", "appSecret: required", "licenseKey: required", "hwid: required", "nonce: required"], Details("validate", "{}"));
        Assert.Equal(["appId: required", "sessionToken: required", "nonce: required", "hwid: required"], Details("heartbeat", "{}"));
        Assert.Equal(["appId: required", "appSecret: required", "licenseKey: required", "hwid: required", "nonce: required"], Details("selfban", "{}"));
    }

    [Fact]
    public void Heartbeat_body_reports_every_field_problem_in_table_order()
    {
        var json = """{"hwid":7,"nonce":"has space","sessionToken":"","appId":""}""";

        Assert.Equal(
            ["appId: must not be empty", "sessionToken: must not be empty", "nonce: invalid characters", "hwid: must be a string"],
            Details("heartbeat", json));
    }

    [Fact]
    public void Selfban_bodies_report_every_field_problem_in_table_order()
    {
        var post = """{"blacklistIp":"no","blacklistHwid":0,"revokeLicense":"yes","hwid":null,"sessionToken":"  ","appId":5}""";
        var pre = """{"blacklistIp":1,"revokeLicense":[],"nonce":"","hwid":{},"licenseKey":" ","appSecret":"","appId":null}""";

        Assert.Equal(
            ["appId: must be a string", "sessionToken: must not be empty", "hwid: required", "revokeLicense: must be a boolean", "blacklistHwid: must be a boolean", "blacklistIp: must be a boolean"],
            Details("selfban", post));
        Assert.Equal(
            ["appId: required", "appSecret: must not be empty", "licenseKey: must not be empty", "hwid: must be a string", "nonce: must not be empty", "revokeLicense: must be a boolean", "blacklistIp: must be a boolean"],
            Details("selfban", pre));
    }

    // ---- every row of §3.3 for every field ------------------------------------------------------

    /// <summary>String fields of each form: name, trimmed, max, min, visible ASCII only (§8.1, §9.1, §10.1).</summary>
    private static readonly (string Form, string Field, bool Trimmed, int? Max, int? Min, bool Ascii)[] StringFields =
    [
        ("validate", "appId", false, 64, null, false),
        ("validate", "appSecret", false, 256, null, false),
        ("validate", "licenseKey", true, null, null, false),
        ("validate", "hwid", true, 256, null, false),
        ("validate", "nonce", false, 128, 8, true),
        ("heartbeat", "appId", false, 64, null, false),
        ("heartbeat", "sessionToken", true, null, null, false),
        ("heartbeat", "nonce", false, 128, 8, true),
        ("heartbeat", "hwid", true, 256, null, false),
        ("selfban-post", "appId", false, 64, null, false),
        ("selfban-post", "sessionToken", true, null, null, false),
        ("selfban-post", "hwid", true, 256, null, false),
        ("selfban-pre", "appId", false, 64, null, false),
        ("selfban-pre", "appSecret", false, 256, null, false),
        ("selfban-pre", "licenseKey", true, null, null, false),
        ("selfban-pre", "hwid", true, 256, null, false),
        ("selfban-pre", "nonce", false, 128, 8, true),
    ];

    public static TheoryData<string, string, string?, string> BrokenStringFields()
    {
        var data = new TheoryData<string, string, string?, string>();
        foreach (var (form, field, trimmed, max, min, ascii) in StringFields)
        {
            // In the post-session form an absent or null sessionToken selects the other form (tested above).
            if (!(form == "selfban-post" && field == "sessionToken"))
            {
                data.Add(form, field, null, $"{field}: required");
                data.Add(form, field, "null", $"{field}: required");
            }
            foreach (var raw in new[] { "42", "4.5", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":\"b\"}" })
            {
                data.Add(form, field, raw, $"{field}: must be a string");
            }
            data.Add(form, field, S(""), $"{field}: must not be empty");
            if (trimmed)
            {
                data.Add(form, field, S(" \t\r\n\u00A0\u3000"), $"{field}: must not be empty");
            }
            if (max is { } m)
            {
                var fill = ascii ? 'a' : 'x';
                data.Add(form, field, S(new string(fill, m + 1)), $"{field}: too long (max {m} characters)");
                if (!ascii) data.Add(form, field, S(string.Concat(Enumerable.Repeat(Emoji, m + 1))), $"{field}: too long (max {m} characters)");
                if (ascii) data.Add(form, field, S(new string(' ', m + 1)), $"{field}: too long (max {m} characters)"); // length before characters
            }
            if (min is { } n)
            {
                data.Add(form, field, S(new string('a', n - 1)), $"{field}: too short (min {n} characters)");
                data.Add(form, field, S(new string(' ', n - 1)), $"{field}: too short (min {n} characters)"); // length before characters
            }
            if (ascii)
            {
                foreach (var bad in new[] { "abcd efgh", " abcdefgh", "abcdefgh ", "abcdefg\t", "abcdefg\u007F", "abcdefg\u00E9", "abcdefg" + Emoji, "abcdefg\u0000" })
                {
                    data.Add(form, field, S(bad), $"{field}: invalid characters");
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BrokenStringFields))]
    public void A_broken_string_field_reports_its_first_broken_rule(string form, string field, string? raw, string expected)
    {
        var (details, _, request) = Read(EndpointOf(form), Utf8(With(BaseOf(form), field, raw)));

        Assert.Null(request);
        Assert.Equal([expected], details);
    }

    public static TheoryData<string, string, string, string> AcceptedStringFields()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (form, field, trimmed, max, min, ascii) in StringFields)
        {
            if (max is { } m)
            {
                data.Add(form, field, new string(ascii ? '~' : 'y', m), new string(ascii ? '~' : 'y', m));
                if (!ascii)
                {
                    var longest = string.Concat(Enumerable.Repeat(Emoji, m));
                    data.Add(form, field, longest, longest);
                }
                if (trimmed)
                {
                    data.Add(form, field, "  " + new string('z', m) + "\t", new string('z', m));
                }
            }
            if (min is { } n)
            {
                data.Add(form, field, new string('!', n), new string('!', n));
            }
            if (!ascii) data.Add(form, field, trimmed ? " \u00A0v\u2003" : " v ", trimmed ? "v" : " v ");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AcceptedStringFields))]
    public void String_fields_are_measured_in_code_points_and_trimmed_only_where_the_table_says(string form, string field, string value, string expected)
    {
        var (details, _, request) = Read(EndpointOf(form), Utf8(With(BaseOf(form), field, S(value))));

        Assert.Empty(details);
        var property = request!.GetType().GetProperty(char.ToUpperInvariant(field[0]) + field[1..])!;
        Assert.Equal(expected, property.GetValue(request));
    }

    [Theory]
    [InlineData("selfban-post", "revokeLicense")]
    [InlineData("selfban-post", "blacklistHwid")]
    [InlineData("selfban-post", "blacklistIp")]
    [InlineData("selfban-pre", "revokeLicense")]
    [InlineData("selfban-pre", "blacklistHwid")]
    [InlineData("selfban-pre", "blacklistIp")]
    public void Selfban_flags_must_be_booleans(string form, string field)
    {
        foreach (var raw in new[] { S("true"), S("false"), "1", "0", "[]", "{}", S("") })
        {
            Assert.Equal([$"{field}: must be a boolean"], Details("selfban", With(BaseOf(form), field, raw)));
        }
    }

    // ---- integers -------------------------------------------------------------------------------

    [Theory]
    [InlineData("3600", 3600L)]
    [InlineData("3600.0", 3600L)]
    [InlineData("3600.000", 3600L)]
    [InlineData("36e2", 3600L)]
    [InlineData("3.6E+3", 3600L)]
    [InlineData("360000e-2", 3600L)]
    [InlineData("1230e-1", 123L)]
    [InlineData("12345678901234567890000e-4", 1234567890123456789L)]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("0.0e999", 0L)]
    [InlineData("-5", -5L)]
    [InlineData("-3600.0", -3600L)]
    [InlineData("604800", 604800L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("9223372036854775808", long.MaxValue)]
    [InlineData("99999999999999999999", long.MaxValue)]
    [InlineData("1e19", long.MaxValue)]
    [InlineData("1e400", long.MaxValue)]
    [InlineData("1E1000000000000000000000000", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("-9223372036854775809", long.MinValue)]
    [InlineData("-1e400", long.MinValue)]
    public void Ttl_seconds_accepts_integral_numbers_and_saturates_huge_ones(string raw, long expected)
    {
        var result = AuthRequestReader.ReadValidate(Utf8(With(ValidateBase, "ttlSeconds", raw)));

        Assert.True(result.IsValid, string.Join("; ", result.Details));
        Assert.Equal(expected, result.Request.TtlSeconds);
    }

    [Theory]
    [InlineData("3600.5")]
    [InlineData("0.1")]
    [InlineData("1e-1")]
    [InlineData("1e-400")]
    [InlineData("1234.0e-1")]
    [InlineData("1.5e-1000000000000000000000")]
    [InlineData("\"3600\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("[3600]")]
    [InlineData("{}")]
    [InlineData("\"\"")]
    public void Ttl_seconds_that_is_not_an_integral_number_is_must_be_an_integer(string raw)
    {
        Assert.Equal(["ttlSeconds: must be an integer"], Details("validate", With(ValidateBase, "ttlSeconds", raw)));
    }

    [Fact]
    public void Null_ttl_seconds_counts_as_absent()
    {
        var result = AuthRequestReader.ReadValidate(Utf8(With(ValidateBase, "ttlSeconds", "null")));

        Assert.True(result.IsValid);
        Assert.Null(result.Request.TtlSeconds);
    }

    // ---- body-level problems ---------------------------------------------------------------------

    [Theory]
    [InlineData("validate")]
    [InlineData("heartbeat")]
    [InlineData("selfban")]
    public void Body_over_16384_bytes_is_too_large_and_names_no_app(string endpoint)
    {
        var body = Padded("""{"appId":"app","pad":""", AuthRequestReader.MaxBodyBytes + 1);

        var (details, appId, _) = Read(endpoint, body);

        Assert.Equal(["body: too large (max 16384 bytes)"], details);
        Assert.Null(appId);
        Assert.Equal(details, AuthRequestReader.BodyTooLargeDetails);
    }

    [Fact]
    public void Body_of_exactly_16384_bytes_is_read()
    {
        var body = Padded(Body(ValidateBase)[..^1] + ",\"pad\":\"", AuthRequestReader.MaxBodyBytes);

        Assert.True(AuthRequestReader.ReadValidate(body).IsValid);
    }

    /// <summary>A JSON object of exactly <paramref name="length"/> bytes: <paramref name="prefix"/> + padding + <c>"}</c>.</summary>
    private static byte[] Padded(string prefix, int length)
    {
        var json = prefix + new string('p', length - prefix.Length - 2) + "\"}";
        var bytes = Utf8(json);
        Assert.Equal(length, bytes.Length);
        return bytes;
    }

    public static TheoryData<byte[]> InvalidJsonBodies() =>
    [
        Array.Empty<byte>(),
        Utf8(" "),
        Utf8("{"),
        Utf8("}"),
        Utf8("{\"appId\":\"x\""),
        Utf8("{\"appId\":\"x\",}"),
        Utf8("{\"appId\" \"x\"}"),
        Utf8("{} {}"),
        Utf8("{}x"),
        Utf8("{}\u0000"),
        Utf8("/* c */{}"),
        Utf8("{} // c"),
        Utf8("{'appId':'x'}"),
        Utf8("{appId:\"x\"}"),
        Utf8("nul"),
        Utf8("[1,"),
        Utf8("{\"a\":01}"),
        Utf8("{\"a\":1.}"),
        Utf8("{\"a\":NaN}"),
        Utf8("{\"a\":Infinity}"),
        Utf8("{\"a\":\"tab\there\"}"),
        Utf8("{\"a\":\"\\x41\"}"),
        Utf8("{\"appId\":\"\\ud800\"}"),
        Utf8("{\"unknown\":[\"\\udc00\"]}"),
        Utf8("{\"\\ud800\":1}"),
        new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' },
        new byte[] { (byte)'{', (byte)'"', 0xC0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}' },
        new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}' },
        new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xE2, 0x82, (byte)'"', (byte)'}' },
        new byte[] { 0xFE, 0xFF, (byte)'{', (byte)'}' },
    ];

    [Theory]
    [MemberData(nameof(InvalidJsonBodies))]
    public void Unparsable_bodies_are_invalid_json_on_every_endpoint(byte[] body)
    {
        foreach (var endpoint in new[] { "validate", "heartbeat", "selfban" })
        {
            var (details, appId, _) = Read(endpoint, body);
            Assert.Equal(["body: invalid JSON"], details);
            Assert.Null(appId);
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"appId\":\"x\"}]")]
    [InlineData("1")]
    [InlineData("\"appId\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData(" \n 3.5 \t")]
    public void Bodies_that_are_not_objects_are_rejected_on_every_endpoint(string json)
    {
        foreach (var endpoint in new[] { "validate", "heartbeat", "selfban" })
        {
            var (details, appId, _) = Read(endpoint, Utf8(json));
            Assert.Equal(["body: must be a JSON object"], details);
            Assert.Null(appId);
        }
    }

    [Fact]
    public void A_leading_byte_order_mark_is_tolerated()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8(Body(ValidateBase))).ToArray();

        Assert.True(AuthRequestReader.ReadValidate(body).IsValid);
    }

    [Fact]
    public void White_space_around_the_object_is_allowed()
    {
        Assert.True(AuthRequestReader.ReadHeartbeat(Utf8(" \r\n\t" + Body(HeartbeatBase) + " \n")).IsValid);
    }

    [Fact]
    public void Duplicate_keys_are_reported_once_each_in_order_of_first_appearance_and_stop_validation()
    {
        var json = """{"nonce":"a","appId":"x","zzz":1,"nonce":"b","hwid":5,"zzz":[],"nonce":null,"appId":"y"}""";

        var (details, appId, _) = Read("validate", Utf8(json));

        Assert.Equal(["nonce: duplicate key", "appId: duplicate key", "zzz: duplicate key"], details);
        Assert.Null(appId); // a duplicated appId names no app for certain
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("heartbeat")]
    [InlineData("selfban")]
    public void Duplicate_keys_count_even_for_unknown_and_ignored_keys(string endpoint)
    {
        var (details, appId, _) = Read(endpoint, Utf8("""{"appId":"app","extra":1,"extra":2,"appSecret":null,"appSecret":null}"""));

        Assert.Equal(["extra: duplicate key", "appSecret: duplicate key"], details);
        Assert.Equal("app", appId);
    }

    [Fact]
    public void Duplicate_keys_are_compared_after_unescaping()
    {
        Assert.Equal(["appId: duplicate key"], Details("validate", """{"appId":"x","app\u0049d":"y"}"""));
        Assert.Equal(["\u00E9: duplicate key"], Details("heartbeat", "{\"\u00E9\":1,\"\\u00e9\":2}"));
    }

    [Fact]
    public void Keys_are_case_sensitive()
    {
        Assert.Equal(["appId: required"], Details("validate", With(ValidateBase, "appId", null)[..^1] + ",\"AppId\":\"x\",\"APPID\":\"y\"}"));
    }

    [Fact]
    public void Invalid_json_wins_over_duplicate_keys()
    {
        Assert.Equal(["body: invalid JSON"], Details("validate", """{"a":1,"a":2"""));
    }

    [Fact]
    public void Nested_duplicate_keys_and_unknown_keys_of_any_type_are_ignored()
    {
        var json = Body([.. ValidateBase,
            ("meta", """{"k":1,"k":2,"deep":[{"k":true,"k":false}]}"""),
            ("list", "[1,2,[3,[4,{}]]]"),
            ("n", "1e999"),
            ("s", S("\U0001F600")),
            ("z", "null")]);

        Assert.True(AuthRequestReader.ReadValidate(Utf8(json)).IsValid);
    }

    [Fact]
    public void Deeply_nested_unknown_values_are_still_json()
    {
        var json = Body([.. HeartbeatBase, ("deep", new string('[', 2000) + new string(']', 2000))]);

        Assert.True(AuthRequestReader.ReadHeartbeat(Utf8(json)).IsValid);
    }

    [Fact]
    public void Null_counts_as_absent_for_every_field()
    {
        Assert.Equal(["appId: required", "appSecret: required", "licenseKey: required", "hwid: required", "nonce: required"],
            Details("validate", """{"appId":null,"appSecret":null,"licenseKey":null,"hwid":null,"nonce":null,"ttlSeconds":null}"""));
        Assert.Equal(["appId: required", "sessionToken: required", "nonce: required", "hwid: required"],
            Details("heartbeat", """{"appId":null,"sessionToken":null,"nonce":null,"hwid":null}"""));
    }

    [Fact]
    public void Escaped_strings_are_unescaped_before_checking()
    {
        var json = """{"appId":"a\/b","appSecret":"\u0073","licenseKey":"\u0020K\u0020","hwid":"\ud83d\udd11","nonce":"\u0041bcdefgh"}""";

        var result = AuthRequestReader.ReadValidate(Utf8(json));

        Assert.Equal(new ValidateRequest("a/b", "s", "K", Emoji, "Abcdefgh", null), result.Request);
    }

    // ---- the appId for the failure mode --------------------------------------------------------

    [Theory]
    [InlineData("""{"appId":"my-app"}""", "my-app")]
    [InlineData("""{"appId":"  spaced  ","hwid":5}""", "  spaced  ")]
    [InlineData("""{"appId":""}""", "")]
    [InlineData("""{"hwid":1,"hwid":2,"appId":"dup-elsewhere"}""", "dup-elsewhere")]
    [InlineData("""{"appId":5}""", null)]
    [InlineData("""{"appId":null}""", null)]
    [InlineData("""{"appId":["x"]}""", null)]
    [InlineData("""{}""", null)]
    [InlineData("""{"appId":"a","appId":"a"}""", null)]
    [InlineData("""["appId"]""", null)]
    [InlineData("""{"appId":"x",""", null)]
    public void App_id_for_the_failure_mode_is_the_raw_string_whenever_the_body_is_an_object(string json, string? expected)
    {
        foreach (var endpoint in new[] { "validate", "heartbeat", "selfban" })
        {
            var (details, appId, _) = Read(endpoint, Utf8(json));
            Assert.NotEmpty(details);
            Assert.Equal(expected, appId);
        }
    }

    [Fact]
    public void App_id_for_the_failure_mode_is_set_on_success_too()
    {
        var result = AuthRequestReader.ReadHeartbeat(Utf8(Body(HeartbeatBase)));

        Assert.Equal("app", result.AppIdForMode);
    }

    // ---- reading the HTTP body ---------------------------------------------------------------

    [Theory]
    [InlineData(0, true)]
    [InlineData(100, true)]
    [InlineData(100, false)]
    [InlineData(16384, true)]
    [InlineData(16384, false)]
    public async Task ReadBodyAsync_returns_bodies_up_to_the_limit(int length, bool declareLength)
    {
        var context = Request(length, declareLength);

        var body = await AuthRequestReader.ReadBodyAsync(context.Request, TestContext.Current.CancellationToken);

        Assert.NotNull(body);
        Assert.Equal(length, body.Value.Length);
        Assert.True(body.Value.Span.SequenceEqual(Payload(length)));
    }

    [Theory]
    [InlineData(16385, true)]
    [InlineData(16385, false)]
    [InlineData(100000, false)]
    public async Task ReadBodyAsync_refuses_bodies_over_the_limit(int length, bool declareLength)
    {
        var context = Request(length, declareLength);

        Assert.Null(await AuthRequestReader.ReadBodyAsync(context.Request, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadBodyAsync_refuses_a_declared_oversized_body_without_reading_it()
    {
        var context = new DefaultHttpContext();
        var stream = new MemoryStream(Payload(10));
        context.Request.Body = stream;
        context.Request.ContentLength = 20000;

        Assert.Null(await AuthRequestReader.ReadBodyAsync(context.Request, TestContext.Current.CancellationToken));
        Assert.Equal(0, stream.Position);
        Assert.True(AuthRequestReader.ExceedsMaxBodySize(16385));
        Assert.False(AuthRequestReader.ExceedsMaxBodySize(16384));
        Assert.False(AuthRequestReader.ExceedsMaxBodySize(null));
    }

    private static byte[] Payload(int length) => Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26)).ToArray();

    private static DefaultHttpContext Request(int length, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new TrickleStream(Payload(length));
        if (declareLength) context.Request.ContentLength = length;
        return context;
    }

    /// <summary>Hands out at most 1000 bytes per read, like a network stream.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
