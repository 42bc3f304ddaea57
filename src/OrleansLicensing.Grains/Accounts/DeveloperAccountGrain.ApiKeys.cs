namespace OrleansLicensing.Accounts;

/// <summary>The account's API keys: listed in its state, made to work by their lookup grain.</summary>
public sealed partial class DeveloperAccountGrain
{
    public async Task<ApiKeyAddResult> AddApiKey(ApiKeyRecord key)
    {
        var status = await _commit.Enqueue(() =>
        {
            if (!S.Created) return (ApiKeyAddStatus.AccountNotFound, false);
            if (S.ApiKeys.Any(k => k.ApiKeyId == key.ApiKeyId)) return (ApiKeyAddStatus.Added, false); // a retry
            if (S.ApiKeys.Count >= ApiKeyLimits.MaxKeysPerAccount) return (ApiKeyAddStatus.LimitReached, false);
            S.ApiKeys.Add(key);
            return (ApiKeyAddStatus.Added, true);
        });
        if (status == ApiKeyAddStatus.Added)
        {
            // Listed first, then made to work: every key that authenticates can be listed and revoked.
            await GrainFactory.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash))
                .Register(new ApiKeyBinding(S.AccountId, key.ApiKeyId, key.Scopes, key.ExpiresAt));
        }
        return new ApiKeyAddResult(status);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeys(string? afterId, int limit)
    {
        _commit.ThrowIfBroken();
        IReadOnlyList<ApiKeyRecord> page = [.. S.ApiKeys
            .Where(k => afterId is null || string.CompareOrdinal(k.ApiKeyId, afterId) > 0)
            .OrderBy(k => k.ApiKeyId, StringComparer.Ordinal)
            .Take(Math.Clamp(limit, 1, ApiKeyLimits.MaxKeysPerAccount))];
        return Task.FromResult(page);
    }

    public Task<ApiKeyRecord?> GetApiKey(string apiKeyId)
    {
        _commit.ThrowIfBroken();
        return Task.FromResult(S.ApiKeys.FirstOrDefault(k => k.ApiKeyId == apiKeyId));
    }

    public async Task<ApiKeyRecord?> RevokeApiKey(string apiKeyId)
    {
        _commit.ThrowIfBroken();
        if (S.ApiKeys.FirstOrDefault(k => k.ApiKeyId == apiKeyId) is not { } key) return null;

        // The lookup first: from here on no silo accepts the key. Only then does it leave the list,
        // so a crash in between leaves a listed key that no longer works (revoking again completes it).
        await GrainFactory.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash)).Revoke(_time.GetUtcNow());
        await _commit.Enqueue(() => (true, S.ApiKeys.RemoveAll(k => k.ApiKeyId == apiKeyId) > 0));
        return key;
    }
}
