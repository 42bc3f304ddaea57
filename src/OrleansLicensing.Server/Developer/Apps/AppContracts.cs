using System.Text.Json.Serialization;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>Body of <c>POST /v1/apps</c>. Fields are nullable so that validation can name what is missing; <c>dailyCreditCap</c> <c>null</c> = no cap.</summary>
public sealed record CreateAppRequest(string? Name, SigningScheme? SigningScheme, FailureMode? FailureHttpStatus, [property: AcceptsNull] long? DailyCreditCap);

/// <summary>Body of <c>PUT /v1/apps/{appId}</c>: a partial update; absent members stay as they are, <c>null</c> is refused but for the cap.</summary>
/// <param name="Name">New name.</param>
/// <param name="Status"><c>active</c> or <c>disabled</c>.</param>
/// <param name="FailureHttpStatus"><c>always200</c> or <c>semantic</c>.</param>
/// <param name="DailyCreditCap">New cap (≥ 1); <c>null</c> removes the cap.</param>
/// <param name="SigningScheme"><c>ed25519</c>, <c>hmac-v1</c> or <c>hmac-v2</c>.</param>
public sealed record UpdateAppRequest(string? Name, AppStatus? Status, FailureMode? FailureHttpStatus, Optional<long?> DailyCreditCap, SigningScheme? SigningScheme);

/// <summary>A published signing key on the wire, with its place in a staged rotation.</summary>
public sealed record PublicKeyResponse(string KeyId, string PublicKey, DateTimeOffset CreatedAt, SigningKeyState State);

/// <summary>
/// An app on the wire. <c>appSecret</c> is only written by create and rotate-secret; every
/// other answer leaves it out.
/// </summary>
public sealed record AppResponse(
    string AppId,
    string Name,
    AppStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AppSecret,
    string PublicKey,
    string KeyId,
    IReadOnlyList<PublicKeyResponse> PublicKeys,
    SigningScheme SigningScheme,
    FailureMode FailureHttpStatus,
    long? DailyCreditCap,
    [property: JsonConverter(typeof(VariablesJsonConverter))] IReadOnlyList<Variable> Variables,
    DateTimeOffset CreatedAt)
{
    /// <summary>The wire view of a snapshot, with the secret only when one is given.</summary>
    public static AppResponse From(AppSnapshot app, string? appSecret = null) => new(
        app.AppId,
        app.Name,
        app.Status,
        appSecret,
        app.PublicKey,
        app.KeyId,
        [.. app.PublicKeys.Select(k => new PublicKeyResponse(k.KeyId, k.PublicKey, k.CreatedAt, k.State))],
        app.SigningScheme,
        app.FailureHttpStatus,
        app.DailyCreditCap,
        app.Variables,
        app.CreatedAt);
}

/// <summary>Answer of <c>GET /v1/apps</c>.</summary>
public sealed record AppListResponse(IReadOnlyList<AppResponse> Apps, string? Cursor);
