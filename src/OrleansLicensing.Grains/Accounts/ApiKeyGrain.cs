using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>
/// Maps the hash of an API key to its account. The key itself is never stored. One activation per
/// key in the cluster, read by every <c>/v1</c> request: a revocation stored here applies to the
/// next request on every silo.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("api-key", LicensingStorage.Name)] IPersistentState<ApiKeyState> state)
    : Grain, IApiKeyGrain
{
    /// <summary>The grain key for a key hash (prefixed so a hex hash is never parsed as a numeric key).</summary>
    public static string KeyFor(string keyHash) => $"key_{keyHash}";

    public async Task Register(ApiKeyBinding binding)
    {
        // A revocation that arrived first (revoke racing a creation) stands.
        state.State.Binding = binding with { RevokedAt = state.State.RevokedAt };
        await state.WriteStateAsync();
    }

    public Task<ApiKeyBinding?> Get() =>
        Task.FromResult(state.State.Binding is { } binding ? binding with { RevokedAt = state.State.RevokedAt } : null);

    public async Task Revoke(DateTimeOffset at)
    {
        if (state.State.RevokedAt is not null) return;
        state.State.RevokedAt = at;
        await state.WriteStateAsync();
    }
}

/// <summary>Persistent state of <see cref="ApiKeyGrain"/>.</summary>
[GenerateSerializer]
public sealed class ApiKeyState
{
    [Id(0)] public ApiKeyBinding? Binding { get; set; }

    /// <summary>When the key was revoked; kept apart from the binding so that a late <see cref="ApiKeyGrain.Register"/> cannot clear it.</summary>
    [Id(1)] public DateTimeOffset? RevokedAt { get; set; }
}
