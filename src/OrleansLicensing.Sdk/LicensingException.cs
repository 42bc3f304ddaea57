namespace OrleansLicensing.Sdk;

/// <summary>
/// A failed licensing call. <see cref="Code"/> is the server's or the SDK's code (see
/// <see cref="LicensingErrorCodes"/>): log it, and show end users <see cref="LicensingMessages.ForCode(string)"/>
/// — never the code or this exception's message.
/// </summary>
public sealed class LicensingException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/>.</summary>
    /// <param name="code">The server or local code.</param>
    /// <param name="httpStatus">HTTP status of the response, or null when none arrived.</param>
    /// <param name="retryAfter">The response's <c>Retry-After</c>, if any.</param>
    /// <param name="requestId">The response's <c>X-Request-Id</c>, if any.</param>
    /// <param name="details">The <c>details</c> of a <c>bad_request</c>, if any.</param>
    /// <param name="attempts">How many attempts the call made.</param>
    /// <param name="innerException">The underlying exception (network failures).</param>
    public LicensingException(
        string code,
        int? httpStatus = null,
        TimeSpan? retryAfter = null,
        string? requestId = null,
        IReadOnlyList<string>? details = null,
        int attempts = 1,
        Exception? innerException = null)
        : base(Describe(code, httpStatus, requestId), innerException)
    {
        Code = code;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
        RequestId = requestId;
        Details = details ?? [];
        Attempts = attempts;
    }

    /// <summary>The code (e.g. <c>revoked</c>, <c>network_error</c>, <c>signature_mismatch</c>).</summary>
    public string Code { get; }

    /// <summary>True when the SDK treats the code as transient (§17.5) and retried it.</summary>
    public bool IsTransient => LicensingErrorCodes.IsTransient(Code);

    /// <summary>HTTP status of the last response, or null when no response arrived.</summary>
    public int? HttpStatus { get; }

    /// <summary>The <c>Retry-After</c> of the last response, if it had one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The server's request id (<c>X-Request-Id</c>) of the last response; quote it to the vendor's support.</summary>
    public string? RequestId { get; }

    /// <summary>The problems listed by a <c>bad_request</c> (empty otherwise).</summary>
    public IReadOnlyList<string> Details { get; }

    /// <summary>Number of attempts made, retries included.</summary>
    public int Attempts { get; }

    /// <summary>The text for end users (<see cref="LicensingMessages.ForCode(string)"/>): never a raw code.</summary>
    public string UserMessage => LicensingMessages.ForCode(Code);

    internal LicensingException WithAttempts(int attempts) =>
        attempts == Attempts ? this : new LicensingException(Code, HttpStatus, RetryAfter, RequestId, Details, attempts, InnerException);

    private static string Describe(string code, int? status, string? requestId) =>
        $"Licensing call failed: {code}"
        + (status is null ? "" : $" (HTTP {status})")
        + (requestId is null ? "" : $" [request {requestId}]");
}
