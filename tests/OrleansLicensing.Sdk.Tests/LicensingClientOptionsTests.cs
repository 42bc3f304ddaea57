namespace OrleansLicensing.Sdk;

/// <summary>Configuration rules of docs/protocol.md §17.1: invalid options throw ArgumentException from the constructor.</summary>
public sealed class LicensingClientOptionsTests
{
    private const string Key1 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    private const string Key2 = "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=";

    private static LicensingClientOptions Valid() => new()
    {
        AppId = "app",
        AppSecret = "secret",
        PublicKeys = [Key1],
        ApiBaseUrl = new Uri("https://licensing.example.com/af/"),
    };

    public static TheoryData<string, Action<LicensingClientOptions>> Invalid => new()
    {
        { "no app id", o => o.AppId = " " },
        { "no secret", o => o.AppSecret = "" },
        { "no public key for Ed25519", o => o.PublicKeys = [" , "] },
        { "public key not base64", o => o.PublicKeys = ["not-a-key!"] },
        { "public key of 31 bytes", o => o.PublicKeys = [Convert.ToBase64String(new byte[31])] },
        { "no base url", o => o.ApiBaseUrl = null },
        { "relative base url", o => o.ApiBaseUrl = new Uri("/af", UriKind.Relative) },
        { "plain http to a remote host", o => o.ApiBaseUrl = new Uri("http://licensing.example.com") },
        { "ftp", o => o.ApiBaseUrl = new Uri("ftp://licensing.example.com") },
        { "heartbeat under 10 s", o => o.HeartbeatInterval = TimeSpan.FromSeconds(9) },
        { "no request timeout", o => o.RequestTimeout = TimeSpan.Zero },
        { "negative retries", o => o.MaxRetries = -1 },
        { "more than 10 retries", o => o.MaxRetries = 11 },
        { "no base delay", o => o.RetryBaseDelay = TimeSpan.Zero },
        { "cap below base", o => o.RetryMaxDelay = TimeSpan.FromMilliseconds(500) },
        { "unknown scheme", o => o.SigningScheme = (SigningScheme)7 },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Invalid_options_are_refused_by_the_constructor(string why, Action<LicensingClientOptions> breakIt)
    {
        var options = Valid();
        breakIt(options);
        var error = Assert.Throws<ArgumentException>(() => new LicensingClient(options));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), why);
        Assert.DoesNotContain("secret", error.Message.Replace("AppSecret", ""), StringComparison.Ordinal);
    }

    [Fact]
    public void Public_keys_are_split_on_commas_trimmed_and_deduplicated()
    {
        var options = Valid();
        options.PublicKeys = [$" {Key1} ,{Key2},, ", Key1, " "];
        var settings = Protocol.ClientSettings.From(options);
        Assert.Equal(2, settings.TrustedKeys.Count);
    }

    [Fact]
    public void Base_url_loses_its_trailing_slash_and_http_is_allowed_for_loopback_or_when_asked()
    {
        Assert.Equal("https://licensing.example.com/af", Protocol.ClientSettings.From(Valid()).BaseUrl);

        var loopback = Valid();
        loopback.ApiBaseUrl = new Uri("http://127.0.0.1:8080/");
        Assert.Equal("http://127.0.0.1:8080", Protocol.ClientSettings.From(loopback).BaseUrl);
        loopback.ApiBaseUrl = new Uri("http://localhost:8080");
        Assert.Equal("http://localhost:8080", Protocol.ClientSettings.From(loopback).BaseUrl);

        var insecure = Valid();
        insecure.ApiBaseUrl = new Uri("http://licensing.internal");
        insecure.AllowInsecureHttp = true;
        Assert.Equal("http://licensing.internal", Protocol.ClientSettings.From(insecure).BaseUrl);
    }

    [Fact]
    public void Hmac_schemes_need_no_public_key_and_ttl_is_sent_only_when_positive()
    {
        var options = Valid();
        options.SigningScheme = SigningScheme.HmacV2;
        options.PublicKeys = [];
        options.TtlSeconds = 0;
        var settings = Protocol.ClientSettings.From(options);
        Assert.Null(settings.TtlSeconds);
        Assert.DoesNotContain("ttlSeconds", System.Text.Encoding.UTF8.GetString(Protocol.AuthRequests.Validate(settings, "K", "H", "n")));

        options.TtlSeconds = 7200;
        var body = System.Text.Encoding.UTF8.GetString(Protocol.AuthRequests.Validate(Protocol.ClientSettings.From(options), "K", "H", "nonce123"));
        Assert.Equal("""{"appId":"app","appSecret":"secret","licenseKey":"K","hwid":"H","nonce":"nonce123","ttlSeconds":7200}""", body);
    }

    [Fact]
    public void Defaults_follow_the_spec()
    {
        var o = new LicensingClientOptions();
        Assert.Equal((SigningScheme.Ed25519, HeartbeatMode.Server, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(15), 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), false),
            (o.SigningScheme, o.HeartbeatMode, o.HeartbeatInterval, o.RequestTimeout, o.MaxRetries, o.RetryBaseDelay, o.RetryMaxDelay, o.AllowInsecureHttp));
    }
}
