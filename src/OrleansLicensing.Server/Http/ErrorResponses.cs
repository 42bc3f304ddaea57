using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace OrleansLicensing.Server.Http;

/// <summary>Writes error bodies; the single place that turns failures into responses.</summary>
public static class ErrorResponses
{
    public static Task WriteAsync(HttpContext context, ApiErrorCode error, string message, IReadOnlyList<string>? details = null)
    {
        context.Response.StatusCode = error.Status;
        context.Features.Set(error); // the request's log line names the code
        return context.Response.WriteAsJsonAsync(new ApiErrorBody(error.Code, message, details), JsonDefaults.Options, contentType: "application/json; charset=utf-8");
    }

    /// <summary>
    /// Framework answers without a body under the management APIs get the JSON error shape: unknown
    /// routes (and wrong methods) a 404, a body that is not JSON a 400.
    /// </summary>
    public static IApplicationBuilder UseJsonErrorPages(this IApplicationBuilder app) => app.UseStatusCodePages(async statusContext =>
    {
        var context = statusContext.HttpContext;
        if (!ManagementPaths.Contains(context.Request.Path)) return;
        if (context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
        {
            context.Response.Headers.Allow = default;
            await WriteAsync(context, ApiErrors.NotFound, $"No endpoint {context.Request.Method} {context.Request.Path}");
        }
        else if (context.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            await WriteAsync(context, ApiErrors.BadRequest, "Request body must be JSON", ["body: Content-Type must be application/json"]);
        }
    });

    /// <summary>[ApiController] model-binding failures (malformed JSON, wrong types, unknown fields or enum values).</summary>
    public static IActionResult InvalidModelState(ActionContext context)
    {
        var details = new List<string>();
        foreach (var (key, entry) in context.ModelState)
        {
            foreach (var error in entry.Errors)
            {
                details.Add(DescribeBindingError(key, error));
            }
        }
        if (details.Count == 0) details.Add("body: invalid");
        context.HttpContext.Features.Set(ApiErrors.BadRequest); // the request's log line names the code
        var body = new ApiErrorBody(ApiErrors.BadRequest.Code, details.Count == 1 ? $"Invalid request: {details[0]}" : "Invalid request", details);
        return new ObjectResult(body) { StatusCode = ApiErrors.BadRequest.Status, ContentTypes = { "application/json" } };
    }

    private static string DescribeBindingError(string key, Microsoft.AspNetCore.Mvc.ModelBinding.ModelError error)
    {
        // Keys look like "$.credits" or "$" for JSON errors, or a parameter name for query/route values.
        var field = key.TrimStart('$').TrimStart('.');
        if (field.Length == 0 || field.Equals("body", StringComparison.OrdinalIgnoreCase) || field.Equals("request", StringComparison.OrdinalIgnoreCase))
        {
            field = "body";
        }
        var message = error.Exception switch
        {
            JsonException { Message: RequestBodyNulls.Refusal } => RequestBodyNulls.Refusal,
            null when error.ErrorMessage == RequestBodyNulls.Refusal => RequestBodyNulls.Refusal,
            JsonException json when json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => "unknown field",
            JsonException json when json.Message.Contains("could not be converted", StringComparison.Ordinal) => "has the wrong type or an unknown value",
            JsonException => "malformed JSON",
            not null => "invalid",
            null when error.ErrorMessage.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => "unknown field",
            null when error.ErrorMessage.Contains("could not be converted", StringComparison.Ordinal) => "has the wrong type or an unknown value",
            null when error.ErrorMessage.Contains("required", StringComparison.OrdinalIgnoreCase) => "required",
            null when error.ErrorMessage.Contains("is invalid", StringComparison.Ordinal) || error.ErrorMessage.Contains("not valid", StringComparison.Ordinal) => "invalid value",
            _ => "malformed JSON",
        };
        if (field == "body" && message == "required") message = "a JSON body is required";
        return $"{field}: {message}";
    }
}

/// <summary>Turns exceptions into JSON errors. Unknown failures are a 500 with no details but the request id.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The exception handler cleared the response headers; every response carries the request id.
        httpContext.Response.Headers[RequestIds.Header] = httpContext.TraceIdentifier;
        switch (exception)
        {
            case ApiException api:
                if (api.RetryAfterSeconds is { } retryAfter) httpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ErrorResponses.WriteAsync(httpContext, api.Error, api.Message, api.Details);
                return true;
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                await ManagementBodyLimit.WriteTooLargeAsync(httpContext);
                return true;
            case System.Text.DecoderFallbackException:
                // Bytes that are not text in the body's charset: the client's input, never a 500.
                await ErrorResponses.WriteAsync(httpContext, ApiErrors.BadRequest, "Request body is not valid text in its charset", ["body: invalid byte sequence"]);
                return true;
            case BadHttpRequestException bad:
                await ErrorResponses.WriteAsync(httpContext, ApiErrors.BadRequest, "Malformed request", [$"request: {bad.Message}"]);
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true; // the client went away; nobody reads a response
            default:
                logger.LogError(exception, "Unhandled error in {Method} {Path} (request {RequestId})", httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
                await ErrorResponses.WriteAsync(httpContext, ApiErrors.InternalError, $"Internal error; quote request id {httpContext.TraceIdentifier} when reporting it");
                return true;
        }
    }
}
