namespace OrleansLicensing.Server.Developer;

/// <summary>
/// The API-key scopes of docs/developer-api.md §4 and what each one grants. A scope grants itself;
/// <c>*</c> grants every scope; a write scope grants the read scope of the same resource, and
/// <c>admin:apps</c> grants <c>write:apps</c> (every write answers with the resource, so a write
/// scope without its read scope would protect nothing).
/// </summary>
public static class DeveloperScopes
{
    /// <summary>Every scope.</summary>
    public const string All = "*";
    /// <summary>Read licenses.</summary>
    public const string ReadLicenses = "read:licenses";
    /// <summary>Create and change licenses.</summary>
    public const string WriteLicenses = "write:licenses";
    /// <summary>Read apps (never their secret).</summary>
    public const string ReadApps = "read:apps";
    /// <summary>Create apps and change their settings.</summary>
    public const string WriteApps = "write:apps";
    /// <summary>Replace an app's key material: rotate the app secret or the signing key.</summary>
    public const string AdminApps = "admin:apps";
    /// <summary>Read webhooks.</summary>
    public const string ReadWebhooks = "read:webhooks";
    /// <summary>Create and change webhooks.</summary>
    public const string WriteWebhooks = "write:webhooks";
    /// <summary>Read auth logs.</summary>
    public const string ReadLogs = "read:logs";
    /// <summary>Read the account (balance, status).</summary>
    public const string ReadAccount = "read:account";

    /// <summary>Every scope name a key may carry.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        All, ReadLicenses, WriteLicenses, ReadApps, WriteApps, AdminApps, ReadWebhooks, WriteWebhooks, ReadLogs, ReadAccount,
    };

    private static readonly Dictionary<string, string[]> Implied = new(StringComparer.Ordinal)
    {
        [WriteLicenses] = [ReadLicenses],
        [WriteApps] = [ReadApps],
        [AdminApps] = [WriteApps, ReadApps],
        [WriteWebhooks] = [ReadWebhooks],
    };

    /// <summary>Whether a key holding <paramref name="held"/> may use a route that needs <paramref name="required"/>.</summary>
    public static bool Grants(IReadOnlyList<string> held, string required)
    {
        foreach (var scope in held)
        {
            if (scope == All || scope == required) return true;
            if (Implied.TryGetValue(scope, out var implied) && implied.Contains(required)) return true;
        }
        return false;
    }
}
