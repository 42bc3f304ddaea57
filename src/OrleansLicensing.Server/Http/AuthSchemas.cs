using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using OrleansLicensing.Server.Auth;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// The OpenAPI description of <c>/auth/*</c>. Those endpoints read and write their JSON by hand (the
/// exact bytes are signed), so their bodies are described here, from the same limits the reader
/// enforces. docs/protocol.md explains the protocol in full.
/// </summary>
internal static class AuthSchemas
{
    public const string ValidateRequest = "AuthValidateRequest";
    public const string HeartbeatRequest = "AuthHeartbeatRequest";
    public const string SelfBanWithSession = "AuthSelfBanWithSessionRequest";
    public const string SelfBanWithoutSession = "AuthSelfBanWithoutSessionRequest";
    public const string Success = "AuthSuccess";
    public const string Payload = "AuthPayload";
    public const string SelfBanSuccess = "AuthSelfBanSuccess";
    public const string FailureName = "AuthFailure";

    private static OpenApiSchema Text(string description, int? maxLength = null, int? minLength = null) =>
        new() { Type = JsonSchemaType.String, Description = description, MaxLength = maxLength, MinLength = minLength };

    private static OpenApiSchema Flag(string description, bool defaultValue) =>
        new() { Type = JsonSchemaType.Boolean, Description = description, Default = JsonValue.Create(defaultValue) };

    private static OpenApiSchema Integer(string description) => new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };

    private static OpenApiSchema Object(string description, IEnumerable<string> required, Dictionary<string, IOpenApiSchema> properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Required = new HashSet<string>(required),
        Properties = properties,
    };

    private static OpenApiSchema AppId() => Text("The app's id (app_…).", maxLength: 64);
    private static OpenApiSchema Hwid() => Text("The machine's hardware id (surrounding spaces are trimmed).", maxLength: 256);
    private static OpenApiSchema Nonce() => Text("A fresh random value per request (8–128 visible ASCII characters), echoed in the signed payload; "
        + "a nonce seen in the last 24 h for the app is replay_detected.", maxLength: 128, minLength: 8);

    /// <summary>A flat variable object.</summary>
    public static OpenApiSchema Variables(string description) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        MaxProperties = 50,
        AdditionalProperties = new OpenApiSchema
        {
            AnyOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Number }, new OpenApiSchema { Type = JsonSchemaType.Boolean }],
        },
    };

    /// <summary>The failure envelope.</summary>
    public static OpenApiSchema Failure() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Failure body of /auth/*. Apps in the always200 failure mode (the default) send it with HTTP 200; in the semantic mode the HTTP status follows the code.",
        Required = new HashSet<string> { "status", "error" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("failed")!] },
            ["error"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "What failed; clients map it to a message for the end user.",
                Enum = [.. AuthErrors.All.Select(e => (JsonNode)JsonValue.Create(e.Code())!)],
            },
            ["details"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String },
                Description = "Only with bad_request: one entry per problem (\"nonce: required\").",
            },
        },
    };

    /// <summary>Every /auth schema by component name.</summary>
    public static IEnumerable<(string Name, OpenApiSchema Schema)> All()
    {
        yield return (ValidateRequest, Object("Body of POST /auth/validate. Members it does not know are ignored.",
            ["appId", "appSecret", "licenseKey", "hwid", "nonce"], new()
            {
                ["appId"] = AppId(),
                ["appSecret"] = Text("The app's secret.", maxLength: 256),
                ["licenseKey"] = Text("The license key as the user typed it (case and surrounding spaces do not matter)."),
                ["hwid"] = Hwid(),
                ["nonce"] = Nonce(),
                ["ttlSeconds"] = Integer($"Requested session length in seconds, clamped to {SessionTokenCodec.MinTtl}–{SessionTokenCodec.MaxTtl}; default 86400."),
            }));
        yield return (HeartbeatRequest, Object("Body of POST /auth/heartbeat. Members it does not know are ignored.",
            ["appId", "sessionToken", "nonce", "hwid"], new()
            {
                ["appId"] = AppId(),
                ["sessionToken"] = Text("The session token of the last successful answer."),
                ["nonce"] = Nonce(),
                ["hwid"] = Text("The machine's hardware id; must be the one the session was opened for.", maxLength: 256),
            }));
        yield return (SelfBanWithSession, Object("Body of POST /auth/selfban from a program with a session: it reports tampering; the license is revoked and "
            + "the HWID and caller IP are blocked for the app, unless a flag says otherwise.",
            ["appId", "sessionToken", "hwid"], new()
            {
                ["appId"] = AppId(),
                ["sessionToken"] = Text("The session token."),
                ["hwid"] = Hwid(),
                ["revokeLicense"] = Flag("Revoke the session's license.", true),
                ["blacklistHwid"] = Flag("Add the HWID to the app's block list.", true),
                ["blacklistIp"] = Flag("Add the caller IP to the app's block list.", true),
            }));
        yield return (SelfBanWithoutSession, Object("Body of POST /auth/selfban before a session exists: authenticated by the app secret; it can block the "
            + "HWID and the caller IP, never revoke (revokeLicense true is revoke_requires_session).",
            ["appId", "appSecret", "licenseKey", "hwid", "nonce"], new()
            {
                ["appId"] = AppId(),
                ["appSecret"] = Text("The app's secret.", maxLength: 256),
                ["licenseKey"] = Text("A license key of the app."),
                ["hwid"] = Hwid(),
                ["nonce"] = Nonce(),
                ["revokeLicense"] = Flag("Must be false here.", false),
                ["blacklistHwid"] = Flag("Add the HWID to the app's block list.", true),
                ["blacklistIp"] = Flag("Add the caller IP to the app's block list.", true),
            }));
        yield return (Success, Object("A signed success of validate or heartbeat. Verify the signature over the payload string before trusting it, "
            + "then base64-decode payload to read the AuthPayload.",
            ["status", "payload", "signature"], new()
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("success")!] },
                ["payload"] = Text("Standard base64 (padded) of the compact UTF-8 JSON of an AuthPayload; these exact characters are signed."),
                ["signature"] = Text("Ed25519: base64 of the 64-byte signature of the payload string. hmac-v1 / hmac-v2: lowercase hex HMAC-SHA256 (see docs/protocol.md for the keys)."),
                ["keyId"] = Text("Ed25519 only: the id of the app's signing key that signed (keys rotate)."),
            }));
        yield return (Payload, Object("The JSON inside AuthSuccess.payload.",
            ["sessionToken", "expiresIn", "nonce", "timestamp", "requestId", "sessionExpiresAt", "licenseExpiresAt", "maxHwidSlots", "hwidCount",
             "unlimitedHwidSlots", "appVariables", "licenseVariables"], new()
            {
                ["sessionToken"] = Text("The new session token, for the next heartbeat or self-ban."),
                ["expiresIn"] = Integer("Unix time (seconds) at which the session ends."),
                ["nonce"] = Text("The request's nonce, verbatim: check it equals the one sent."),
                ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "Time of the answer (UTC, milliseconds)." },
                ["requestId"] = Text("The request id, also sent as the X-Request-Id header."),
                ["sessionExpiresAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "expiresIn as a UTC time." },
                ["licenseExpiresAt"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time", Description = "The license's expiry; null for a lifetime license." },
                ["maxHwidSlots"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "Machines the license may bind; 0 when unlimited." },
                ["hwidCount"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "Machines bound now." },
                ["licenseLabel"] = Text("The license's label; absent when it has none."),
                ["unlimitedHwidSlots"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ["appVariables"] = Variables("The app's variables."),
                ["licenseVariables"] = Variables("The license's variables."),
            }));
        yield return (SelfBanSuccess, Object("An unsigned self-ban success (HTTP 200): what is true after the call, for what was asked.",
            ["status", "revoked", "hwidBlacklisted", "ipBlacklisted"], new()
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("success")!] },
                ["revoked"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Revocation was asked and the license is revoked." },
                ["hwidBlacklisted"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Blocking the HWID was asked and it is blocked." },
                ["ipBlacklisted"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Blocking the IP was asked and it is blocked." },
            }));
    }

    /// <summary>The operation id of an <c>/auth</c> endpoint (its last path segment).</summary>
    public static string OperationId(string endpoint) => endpoint switch
    {
        "validate" => "validate",
        "heartbeat" => "heartbeat",
        "selfban" => "selfBan",
        _ => endpoint,
    };

    /// <summary>Request body, summary and 200 answer of one /auth operation.</summary>
    public static void DescribeOperation(OpenApiOperation operation, string endpoint, OpenApiDocument? document)
    {
        IOpenApiSchema Ref(string name) => new OpenApiSchemaReference(name, document);
        (string Summary, string Description, IOpenApiSchema Body, IOpenApiSchema Answer) = endpoint switch
        {
            "validate" => ("Validate a license key and open a session",
                "Checks the app, the key, the machine (binding it while the license has free slots), debits one credit from the app's account "
                + "and answers with a signed payload that carries a session token.",
                Ref(ValidateRequest), Ref(Success)),
            "heartbeat" => ("Keep a session alive",
                "Proves the program still runs under a valid license: refreshes the session token (every N-th heartbeat costs a credit).",
                Ref(HeartbeatRequest), Ref(Success)),
            _ => ("Report tampering (self-ban)",
                "A program that detects tampering blocks its machine and caller IP and, with a session, revokes its license.",
                new OpenApiSchema { OneOf = [Ref(SelfBanWithSession), Ref(SelfBanWithoutSession)], Description = "With sessionToken: the session form; without: the app-secret form." },
                Ref(SelfBanSuccess)),
        };
        operation.Summary = Summary;
        operation.Description = Description;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "UTF-8 JSON, at most 16 KiB.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = Body } },
        };
        operation.Responses!["200"] = new OpenApiResponse
        {
            Description = "The success body; or, for apps in the always200 failure mode, the failure body.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [Answer, Ref(FailureName)] } },
            },
        };
    }
}
