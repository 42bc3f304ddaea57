namespace OrleansLicensing.Views;

/// <summary>The silo-local end of a view invalidation: hands the key to this silo's <see cref="IAuthViewCache"/>.</summary>
[SiloAddressPlacement]
public sealed class AuthViewInvalidationGrain(IAuthViewCache cache) : Grain, IAuthViewInvalidationGrain
{
    public Task Invalidate(AuthViewKey key)
    {
        cache.Invalidate(key);
        return Task.CompletedTask;
    }
}

/// <summary>The silo's cache of <c>/auth</c> views (implemented by the host's edge).</summary>
public interface IAuthViewCache
{
    /// <summary>Drops the view; a fetch of it that started earlier must not be cached when it completes.</summary>
    void Invalidate(AuthViewKey key);
}

/// <summary>For silos without an <c>/auth</c> edge (grain tests): nothing is cached, so nothing to drop.</summary>
public sealed class NoAuthViewCache : IAuthViewCache
{
    public void Invalidate(AuthViewKey key)
    {
    }
}
