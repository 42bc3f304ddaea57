namespace OrleansLicensing.Apps;

/// <summary>
/// Signing keys and staged rotation (docs/protocol.md §4.5): next → promote → remove. Every step goes
/// through <see cref="CommitAsync"/>, so the edge views of every silo are dropped before the step is
/// acknowledged and the very next response anywhere is signed with the key that is current now.
/// </summary>
public sealed partial class AppGrain
{
    public async Task<AppSnapshot?> RotateSigningKey()
    {
        if (!Exists) return null;
        if (S.NextKeyId is not null) throw new InvalidOperationException("A next signing key is pending: promote or remove it first.");
        var now = time.GetUtcNow();
        var key = NewSigningKey(now) with { PromotedAt = now };
        S.SigningKeys.Add(key);
        S.CurrentKeyId = key.KeyId;
        await CommitAsync();
        return _snapshot;
    }

    public async Task<SigningKeyChange> AddNextSigningKey()
    {
        if (!Exists) return new SigningKeyChange(SigningKeyChangeOutcome.AppNotFound);
        if (S.NextKeyId is not null) return new SigningKeyChange(SigningKeyChangeOutcome.Conflict, Published(S.NextKeyId), _snapshot);
        var key = NewSigningKey(time.GetUtcNow());
        // Pinned before the new key is appended: "the last key is current" no longer holds from here on.
        S.CurrentKeyId = CurrentSigningKey.KeyId;
        S.SigningKeys.Add(key);
        S.NextKeyId = key.KeyId;
        await CommitAsync();
        return new SigningKeyChange(SigningKeyChangeOutcome.Done, Published(key.KeyId), _snapshot);
    }

    public async Task<SigningKeyChange> PromoteSigningKey(string keyId)
    {
        if (!Exists) return new SigningKeyChange(SigningKeyChangeOutcome.AppNotFound);
        var index = S.SigningKeys.FindIndex(k => k.KeyId == keyId);
        if (index < 0) return new SigningKeyChange(SigningKeyChangeOutcome.KeyNotFound);
        if (S.NextKeyId != keyId) return new SigningKeyChange(SigningKeyChangeOutcome.Conflict, Published(keyId), _snapshot);
        S.SigningKeys[index] = S.SigningKeys[index] with { PromotedAt = time.GetUtcNow() };
        S.CurrentKeyId = keyId;
        S.NextKeyId = null;
        await CommitAsync();
        return new SigningKeyChange(SigningKeyChangeOutcome.Done, Published(keyId), _snapshot);
    }

    public async Task<SigningKeyChange> RemoveSigningKey(string keyId)
    {
        if (!Exists) return new SigningKeyChange(SigningKeyChangeOutcome.AppNotFound);
        var key = S.SigningKeys.Find(k => k.KeyId == keyId);
        if (key is null) return new SigningKeyChange(SigningKeyChangeOutcome.KeyNotFound);
        if (key.KeyId == CurrentSigningKey.KeyId) return new SigningKeyChange(SigningKeyChangeOutcome.Conflict, Published(keyId), _snapshot);
        var removed = Published(keyId);
        S.CurrentKeyId = CurrentSigningKey.KeyId;
        S.SigningKeys.Remove(key);
        if (S.NextKeyId == keyId) S.NextKeyId = null;
        await CommitAsync();
        return new SigningKeyChange(SigningKeyChangeOutcome.Done, removed, _snapshot);
    }

    /// <summary>The key that signs: the pinned one, or (states stored before staged rotation) the last one.</summary>
    private StoredSigningKey CurrentSigningKey =>
        S.CurrentKeyId is { } id ? S.SigningKeys.Find(k => k.KeyId == id) ?? S.SigningKeys[^1] : S.SigningKeys[^1];

    private SigningKeyState StateOf(StoredSigningKey key) =>
        key.KeyId == CurrentSigningKey.KeyId ? SigningKeyState.Current
        : key.KeyId == S.NextKeyId ? SigningKeyState.Next
        : SigningKeyState.Previous;

    /// <summary>Every published key, newest first, with its state.</summary>
    private PublicSigningKey[] PublishedSigningKeys() => [.. S.SigningKeys.AsEnumerable().Reverse()
        .Select(k => new PublicSigningKey(k.KeyId, Convert.ToBase64String(k.PublicKey), k.CreatedAt, StateOf(k), k.PromotedAt))];

    private PublicSigningKey? Published(string keyId) => PublishedSigningKeys().FirstOrDefault(k => k.KeyId == keyId);
}
