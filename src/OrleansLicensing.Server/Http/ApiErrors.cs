namespace OrleansLicensing.Server.Http;

/// <summary>One error of docs/developer-api.md §2: its wire code and HTTP status.</summary>
public sealed record ApiErrorCode(string Code, int Status);

/// <summary>The error table of <c>/v1</c> and <c>/admin/v1</c>; the only place codes and statuses are paired.</summary>
public static class ApiErrors
{
    public static readonly ApiErrorCode BadRequest = new("bad_request", StatusCodes.Status400BadRequest);
    public static readonly ApiErrorCode InvalidApiKey = new("invalid_api_key", StatusCodes.Status401Unauthorized);
    public static readonly ApiErrorCode NoCredits = new("no_credits", StatusCodes.Status402PaymentRequired);
    public static readonly ApiErrorCode Forbidden = new("forbidden", StatusCodes.Status403Forbidden);
    public static readonly ApiErrorCode NotFound = new("not_found", StatusCodes.Status404NotFound);
    public static readonly ApiErrorCode Conflict = new("conflict", StatusCodes.Status409Conflict);
    public static readonly ApiErrorCode RateLimited = new("rate_limited", StatusCodes.Status429TooManyRequests);
    public static readonly ApiErrorCode InternalError = new("internal_error", StatusCodes.Status500InternalServerError);

    /// <summary>Every code of the table, in its order.</summary>
    public static readonly IReadOnlyList<ApiErrorCode> All = [BadRequest, InvalidApiKey, NoCredits, Forbidden, NotFound, Conflict, RateLimited, InternalError];
}

/// <summary>A failure the client caused or may act on; turned into the JSON error body in one place.</summary>
public sealed class ApiException(ApiErrorCode error, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public ApiErrorCode Error { get; } = error;
    public IReadOnlyList<string>? Details { get; } = details;

    /// <summary>Whole seconds for the <c>Retry-After</c> header (only on <c>rate_limited</c>).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A 429 <c>rate_limited</c> with <c>Retry-After</c> (whole seconds, at least 1).</summary>
    public static ApiException RateLimited(string message, int retryAfterSeconds) =>
        new(ApiErrors.RateLimited, message) { RetryAfterSeconds = Math.Max(1, retryAfterSeconds) };

    public static ApiException BadRequest(params string[] details) =>
        new(ApiErrors.BadRequest, details.Length == 1 ? $"Invalid request: {details[0]}" : "Invalid request", details);

    public static ApiException NotFound(string message) => new(ApiErrors.NotFound, message);
}

/// <summary>The JSON error body: <c>{"error", "message", "details"?}</c>.</summary>
public sealed record ApiErrorBody(
    string Error,
    string Message,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Details = null);
