namespace OrleansLicensing.Accounts;

/// <summary>Index of all account ids, for the operator's list. Keyed by <see cref="Key"/>.</summary>
public interface IAccountDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The one key of the directory.</summary>
    public const string Key = "accounts";

    /// <summary>Adds an id (idempotent).</summary>
    Task Register(string accountId);

    /// <summary>Ids in ascending order (ids sort by creation time), strictly after <paramref name="afterId"/>.</summary>
    Task<IReadOnlyList<string>> List(string? afterId, int limit);
}
