namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The signed payload of a validate or heartbeat success (docs/protocol.md §7). The values are
/// written as given; the rules that decide them belong to the caller:
/// <list type="bullet">
/// <item><see cref="MaxHwidSlots"/> must already be <c>0</c> when <see cref="UnlimitedHwidSlots"/> is true.</item>
/// <item><see cref="ExpiresIn"/> is the absolute Unix time of the new token's <c>exp</c>.</item>
/// <item>Heartbeats pass the variables too (§7: clients replace theirs with each payload's).</item>
/// </list>
/// </summary>
/// <param name="SessionToken">The new session token (§5).</param>
/// <param name="ExpiresIn">Absolute Unix time at which the session expires (= token <c>exp</c>); also written, in ISO form, as <c>sessionExpiresAt</c>.</param>
/// <param name="Nonce">The request's nonce, verbatim.</param>
/// <param name="Timestamp">Time of the response; written in UTC with milliseconds (fractions below a millisecond are dropped).</param>
/// <param name="RequestId">The request id (same as the <c>X-Request-Id</c> header).</param>
/// <param name="LicenseExpiresAt">The license's expiry; null (written as JSON <c>null</c>) for a lifetime license.</param>
/// <param name="MaxHwidSlots">The license's slot count, or <c>0</c> for an unlimited license (the caller's job).</param>
/// <param name="HwidCount">HWIDs currently bound (recorded, for unlimited licenses).</param>
/// <param name="LicenseLabel">The license's label; the key is omitted when null or empty.</param>
/// <param name="UnlimitedHwidSlots">The license's unlimited flag.</param>
/// <param name="AppVariables">The app's variables; written in ordinal name order whatever the list order. Names must be unique.</param>
/// <param name="LicenseVariables">The license's variables; same rules.</param>
public sealed record AuthPayload(
    string SessionToken,
    long ExpiresIn,
    string Nonce,
    DateTimeOffset Timestamp,
    string RequestId,
    DateTimeOffset? LicenseExpiresAt,
    int MaxHwidSlots,
    int HwidCount,
    string? LicenseLabel,
    bool UnlimitedHwidSlots,
    IReadOnlyList<Variable> AppVariables,
    IReadOnlyList<Variable> LicenseVariables)
{
    /// <summary>The payload JSON: compact UTF-8, keys in the order of §7.</summary>
    public byte[] ToUtf8Json()
    {
        using var json = new CompactJsonWriter();
        WriteTo(json);
        return json.ToArray();
    }

    /// <summary>
    /// The payload string P (§4.1): standard, padded base64 of <see cref="ToUtf8Json"/>. These are
    /// the bytes that get signed and sent as the envelope's <c>payload</c>.
    /// </summary>
    public string ToPayloadString()
    {
        using var json = new CompactJsonWriter();
        WriteTo(json);
        return Convert.ToBase64String(json.Written);
    }

    internal void WriteTo(CompactJsonWriter json)
    {
        json.Raw("{\"sessionToken\":"u8);
        json.String(SessionToken);
        json.Raw(",\"expiresIn\":"u8);
        json.Integer(ExpiresIn);
        json.Raw(",\"nonce\":"u8);
        json.String(Nonce);
        json.Raw(",\"timestamp\":"u8);
        json.Timestamp(Timestamp);
        json.Raw(",\"requestId\":"u8);
        json.String(RequestId);
        json.Raw(",\"sessionExpiresAt\":"u8);
        json.Timestamp(ExpiresIn);
        json.Raw(",\"licenseExpiresAt\":"u8);
        if (LicenseExpiresAt is { } licenseExpiresAt)
        {
            json.Timestamp(licenseExpiresAt);
        }
        else
        {
            json.Null();
        }
        json.Raw(",\"maxHwidSlots\":"u8);
        json.Integer(MaxHwidSlots);
        json.Raw(",\"hwidCount\":"u8);
        json.Integer(HwidCount);
        if (!string.IsNullOrEmpty(LicenseLabel))
        {
            json.Raw(",\"licenseLabel\":"u8);
            json.String(LicenseLabel);
        }
        json.Raw(",\"unlimitedHwidSlots\":"u8);
        json.Boolean(UnlimitedHwidSlots);
        // Objects that may contain user-chosen keys come last (§16 C11).
        json.Raw(",\"appVariables\":"u8);
        WriteVariables(json, AppVariables, nameof(AppVariables));
        json.Raw(",\"licenseVariables\":"u8);
        WriteVariables(json, LicenseVariables, nameof(LicenseVariables));
        json.Raw("}"u8);
    }

    private static void WriteVariables(CompactJsonWriter json, IReadOnlyList<Variable> variables, string name)
    {
        ArgumentNullException.ThrowIfNull(variables, name);
        var ordered = IsInOrdinalOrder(variables) ? variables : Variables.Normalize(variables);
        json.Raw("{"u8);
        for (var i = 0; i < ordered.Count; i++)
        {
            var variable = ordered[i];
            if (i > 0)
            {
                if (string.Equals(ordered[i - 1].Name, variable.Name, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Variable '{variable.Name}' appears twice.", name);
                }
                json.Raw(","u8);
            }
            json.String(variable.Name);
            json.Raw(":"u8);
            switch (variable.Kind)
            {
                case VariableKind.String:
                    json.String(variable.Text);
                    break;
                case VariableKind.Number:
                    json.RawNumber(Variables.CanonicalNumber(variable.Text)); // §2.3; plain digits return at once
                    break;
                case VariableKind.Boolean when variable.Text is "true" or "false":
                    json.Boolean(variable.Text == "true");
                    break;
                default:
                    throw new ArgumentException($"Variable '{variable.Name}' has kind {variable.Kind} and text '{variable.Text}'.", name);
            }
        }
        json.Raw("}"u8);
    }

    private static bool IsInOrdinalOrder(IReadOnlyList<Variable> variables)
    {
        for (var i = 1; i < variables.Count; i++)
        {
            if (string.CompareOrdinal(variables[i - 1].Name, variables[i].Name) > 0)
            {
                return false;
            }
        }
        return true;
    }
}
