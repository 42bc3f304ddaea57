using System.Text;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// Admits the operator to <c>/metrics</c> and <c>/dashboard</c>. Scrapers and scripts send
/// <c>Authorization: Bearer &lt;operator token&gt;</c>; a browser cannot, so HTTP basic
/// authentication is accepted too, with the operator token as the password (any user name): the
/// browser asks once and resends it with every request of the dashboard page, and nothing is kept
/// by the server or in a cookie. Comparisons are constant-time. Anything else is a 401 in the API's
/// error shape, with a <c>WWW-Authenticate</c> challenge so that browsers show their sign-in prompt.
/// </summary>
public static class OperatorGate
{
    /// <summary>The realm browsers show in their prompt.</summary>
    public const string Realm = "OrleansLicensing operator";

    /// <summary>Whether the request carries the operator token (bearer, or basic password).</summary>
    public static bool IsOperator(HttpRequest request, string operatorToken)
    {
        if (BearerToken.Read(request) is { } token) return SecretComparer.AreEqual(token, operatorToken);
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return BasicPassword(header["Basic ".Length..].Trim()) is { } password && SecretComparer.AreEqual(password, operatorToken);
        }
        return false;
    }

    /// <summary>Lets only the operator through to paths under <paramref name="paths"/>.</summary>
    public static IApplicationBuilder UseOperatorGate(this IApplicationBuilder app, params string[] paths) => app.Use(async (context, next) =>
    {
        if (!Guards(context.Request.Path, paths))
        {
            await next(context);
            return;
        }
        var secrets = context.RequestServices.GetRequiredService<GeneratedSecrets>();
        if (IsOperator(context.Request, secrets.OperatorToken))
        {
            await next(context);
            return;
        }
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
        context.Response.Headers.CacheControl = "no-store";
        await ErrorResponses.WriteAsync(context, ApiErrors.InvalidApiKey, context.Request.Headers.Authorization.Count == 0
            ? "Missing operator token: send Authorization: Bearer <operator token>, or sign in with the operator token as the password"
            : "Invalid operator token");
    });

    private static bool Guards(PathString path, string[] paths)
    {
        foreach (var guarded in paths)
        {
            if (path.StartsWithSegments(guarded, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>The password of a basic credential (<c>base64(user:password)</c>), or <c>null</c> if it is not one.</summary>
    private static string? BasicPassword(string encoded)
    {
        if (encoded.Length is 0 or > 1024) return null;
        var bytes = new byte[(encoded.Length * 3 + 3) / 4];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length)) return null;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? null : decoded[(colon + 1)..];
    }
}
