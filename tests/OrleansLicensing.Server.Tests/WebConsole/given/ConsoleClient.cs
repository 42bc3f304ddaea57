using System.Net;
using System.Text.RegularExpressions;

namespace OrleansLicensing.Server.WebConsole.given;

/// <summary>
/// A browser-like HTTP client for the console without a browser: keeps cookies itself (the session
/// cookie is Secure, which .NET's cookie container never sends over http://127.0.0.1, while browsers
/// do for the local machine) and reads the anti-forgery field from the last page.
/// </summary>
public sealed partial class ConsoleClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Every Set-Cookie header received, as sent.</summary>
    public List<string> SetCookieHeaders { get; } = [];

    /// <summary>The anti-forgery form value of the last page that had one.</summary>
    public string? FormToken { get; private set; }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null) request.Headers.Host = host;
        return await SendAsync(request);
    }

    /// <summary>Posts a form; the anti-forgery field is added unless <paramref name="withToken"/> is false.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true)
    {
        var values = fields.ToList();
        if (withToken && FormToken is not null) values.Add(new("__csrf", FormToken));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(values) };
        return await SendAsync(request);
    }

    /// <summary>Signs in with an API key through the form, as a browser would.</summary>
    public async Task SignInAsync(string apiKey)
    {
        await GetAsync("/console/sign-in");
        var (status, body, _) = await PostFormAsync("/console/sign-in?handler=Vendor", [new("apiKey", apiKey)]);
        Assert.True(status == HttpStatusCode.Redirect, $"sign-in answered {(int)status}: {body}");
        Assert.True(Cookies.ContainsKey("__Host-console-session"));
    }

    private async Task<(HttpStatusCode, string, HttpResponseMessage)> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                SetCookieHeaders.Add(header);
                var pair = header.Split(';', 2)[0];
                var name = pair.Split('=', 2)[0];
                var value = pair.Split('=', 2)[1];
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) Cookies.Remove(name);
                else Cookies[name] = value;
            }
        }
        var body = await response.Content.ReadAsStringAsync();
        if (TokenField().Match(body) is { Success: true } match) FormToken = WebUtility.HtmlDecode(match.Groups[1].Value);
        return (response.StatusCode, body, response);
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public void Dispose() => _http.Dispose();
}
