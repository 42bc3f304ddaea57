using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>Maps the hash of an API key to its account. The key itself is never stored.</summary>
public sealed class ApiKeyGrain(
    [PersistentState("api-key", LicensingStorage.Name)] IPersistentState<ApiKeyState> state)
    : Grain, IApiKeyGrain
{
    /// <summary>The grain key for a key hash (prefixed so a hex hash is never parsed as a numeric key).</summary>
    public static string KeyFor(string keyHash) => $"key_{keyHash}";

    public async Task Register(ApiKeyBinding binding)
    {
        state.State.Binding = binding;
        await state.WriteStateAsync();
    }

    public Task<ApiKeyBinding?> Get() => Task.FromResult(state.State.Binding);
}

/// <summary>Persistent state of <see cref="ApiKeyGrain"/>.</summary>
[GenerateSerializer]
public sealed class ApiKeyState
{
    [Id(0)] public ApiKeyBinding? Binding { get; set; }
}
