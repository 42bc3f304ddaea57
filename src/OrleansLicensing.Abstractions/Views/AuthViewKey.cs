namespace OrleansLicensing.Views;

/// <summary>What an <c>/auth</c> edge caches per silo: an app's auth view, or an account's status.</summary>
public enum AuthViewKind
{
    /// <summary>An app's <see cref="Apps.AppAuthView"/>.</summary>
    App = 0,
    /// <summary>An account's status (suspension, docs/protocol.md §1.1).</summary>
    Account = 1,
}

/// <summary>One cached view: its kind and the app or account id.</summary>
[GenerateSerializer, Immutable]
public sealed record AuthViewKey([property: Id(0)] AuthViewKind Kind, [property: Id(1)] string Id)
{
    /// <summary>The view of app <paramref name="appId"/>.</summary>
    public static AuthViewKey App(string appId) => new(AuthViewKind.App, appId);

    /// <summary>The status of account <paramref name="accountId"/>.</summary>
    public static AuthViewKey Account(string accountId) => new(AuthViewKind.Account, accountId);
}

/// <summary>How long a silo may serve a cached view without hearing from its owner.</summary>
public static class AuthViewLease
{
    /// <summary>
    /// A cached view is used for at most this long after the fetch that produced it started; a
    /// management change whose invalidation a silo did not confirm waits this long before it is
    /// acknowledged, so no silo serves the old view after the acknowledgement (docs/protocol.md §11.6).
    /// </summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);
}
