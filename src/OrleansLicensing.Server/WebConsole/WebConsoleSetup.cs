using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using OrleansLicensing.Security;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Registers and maps the web console (<c>/console</c>): Razor Pages, sessions, anti-forgery, assets.</summary>
public static class WebConsoleSetup
{
    /// <summary>Path of the console.</summary>
    public const string Root = "/console";

    /// <summary>Console services: sessions, data protection shared through the database, anti-forgery, pages.</summary>
    public static IServiceCollection AddLicensingConsole(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleSessionStore>();
        services.AddSingleton<AccountOverview>();
        services.AddSingleton<OverviewQueries>();
        services.AddSingleton<ClusterTraffic>();
        services.AddHostedService(s => s.GetRequiredService<ClusterTraffic>());
        services.AddSingleton<OrleansLicensing.Server.Operator.AccountSearch>();
        services.AddSingleton<ConsoleAccessFilter>();
        services.AddSingleton<ConsoleOperations>();
        services.AddSingleton<DatabaseKeyRepository>();
        services.AddDataProtection().SetApplicationName("OrleansLicensing");
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRepository, SecretProtector>((options, repository, protector) =>
        {
            options.XmlRepository = repository;
            options.XmlEncryptor = new MasterKeyXmlEncryptor(protector);
        });
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ConsoleCookies.Antiforgery;
            // Secure over HTTPS. Plain HTTP reaches the console only from the machine itself (see ConsoleTransport).
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.Path = Root;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.FormFieldName = "__csrf";
            options.HeaderName = null;
        });
        services.AddRazorPages(options => options.RootDirectory = "/WebConsole/Pages");
        services.Configure<MvcOptions>(options =>
        {
            // Page filters only run for pages; controllers ignore them.
            options.Filters.AddService<ConsoleAccessFilter>();
            options.Filters.Add(new AntiforgeryFailurePage());
        });
        return services;
    }

    /// <summary>Maps the pages, their assets, security headers, and <c>/</c> → <c>/console</c>.</summary>
    public static WebApplication MapLicensingConsole(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect(Root)).ExcludeFromDescription();
        app.MapGet(Root + "/assets/{name}", (string name, HttpContext context) => ConsoleAssets.Serve(name, context)).ExcludeFromDescription();
        // Browsers ask for /favicon.ico where a page declares no icon (a download, a plain-text refusal).
        app.MapGet("/favicon.ico", (HttpContext context) => ConsoleAssets.Serve(ConsoleAssets.Icon, context)).ExcludeFromDescription();
        app.MapRazorPages();
        return app;
    }

    /// <summary>
    /// Security headers on every console response: no framing, no foreign scripts or styles, no
    /// caching (pages may show a secret once). A console page asked for over plain HTTP from another
    /// machine is refused (<see cref="ConsoleTransport"/>).
    /// </summary>
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(Root))
        {
            if (!context.Request.Path.StartsWithSegments(Root + "/assets")
                && !ConsoleTransport.IsSecure(context, context.RequestServices.GetRequiredService<OrleansLicensing.Server.Auth.AuthSettings>().TrustedProxies))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(
                    "The console is only served over HTTPS (directly, or through a proxy listed in Licensing:Auth:TrustedProxies that sends X-Forwarded-Proto: https), " +
                    "or over plain HTTP to localhost on the machine itself: its cookies are Secure and would not be kept otherwise.");
                return;
            }
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (!context.Request.Path.StartsWithSegments(Root + "/assets")) headers.CacheControl = "no-store";
        }
        await next();
    });

    /// <summary>A form whose anti-forgery token is missing or wrong gets a readable page, not a bare 400.</summary>
    private sealed class AntiforgeryFailurePage : IAlwaysRunResultFilter
    {
        public void OnResultExecuting(ResultExecutingContext context)
        {
            if (context.Result is IAntiforgeryValidationFailedResult)
            {
                context.Result = new ContentResult
                {
                    StatusCode = StatusCodes.Status400BadRequest,
                    ContentType = "text/html; charset=utf-8",
                    Content = """
                        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                        <title>Form refused · OrleansLicensing console</title><link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/console/assets/console.css"></head>
                        <body><main class="narrow"><h1>Form refused</h1><p role="alert" class="failure">This form was not sent from a current console page (its anti-forgery token is missing or has expired), so nothing was changed.</p>
                        <p><a href="/console">Back to the console</a></p></main></body></html>
                        """,
                };
            }
        }

        public void OnResultExecuted(ResultExecutedContext context) { }
    }
}

/// <summary>The console's static files (CSS, a small script), embedded in the server: nothing is fetched from elsewhere.</summary>
public static class ConsoleAssets
{
    private static readonly Dictionary<string, (byte[] Content, string ContentType, string ETag)> Files = Load();

    /// <summary>The console's icon, declared by every page and served for <c>/favicon.ico</c> too.</summary>
    public const string Icon = "favicon.svg";

    /// <summary>Serves one embedded asset, with an ETag and a short cache.</summary>
    public static IResult Serve(string name, HttpContext context)
    {
        if (!Files.TryGetValue(name, out var file)) return Results.NotFound();
        context.Response.Headers.CacheControl = "public, max-age=300";
        if (context.Request.Headers.IfNoneMatch == file.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        context.Response.Headers.ETag = file.ETag;
        return Results.Bytes(file.Content, file.ContentType);
    }

    private static Dictionary<string, (byte[], string, string)> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource["console/".Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8"
                : name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8"
                : name.EndsWith(".svg", StringComparison.Ordinal) ? "image/svg+xml"
                : "application/octet-stream";
            files[name] = (bytes, type, $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}\"");
        }
        return files;
    }
}
