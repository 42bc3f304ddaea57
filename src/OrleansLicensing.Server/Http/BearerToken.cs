namespace OrleansLicensing.Server.Http;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c>, read the same way for API keys and the operator token.</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>The token of a bearer <c>Authorization</c> header, or <c>null</c>; the scheme name is case-insensitive (RFC 9110 §11.1).</summary>
    public static string? Read(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
