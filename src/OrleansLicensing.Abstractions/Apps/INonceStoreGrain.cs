namespace OrleansLicensing.Apps;

/// <summary>
/// Replay protection (auth-protocol.md §6): the nonces an app has seen in the last 24 hours, exact
/// (no probabilistic filter). Partitioned per app by a hash of the nonce so that one app's
/// traffic spreads over several activations. Keyed by <see cref="KeyFor"/>.
/// </summary>
public interface INonceStoreGrain : IGrainWithStringKey
{
    /// <summary>Number of partitions per app.</summary>
    public const int Partitions = 16;

    /// <summary>The grain key holding <paramref name="nonce"/> for <paramref name="appId"/>.</summary>
    public static string KeyFor(string appId, string nonce)
    {
        var hash = 2166136261u;
        foreach (var c in nonce) hash = (hash ^ c) * 16777619u;
        return $"nonce_{hash % Partitions}_{appId}";
    }

    /// <summary>Records the nonce; <c>false</c> if it was already recorded within the window.</summary>
    Task<bool> TryRecord(string nonce);
}
