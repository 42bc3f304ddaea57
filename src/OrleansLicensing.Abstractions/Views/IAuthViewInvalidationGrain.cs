namespace OrleansLicensing.Views;

/// <summary>
/// One per silo, placed on the silo its key names: drops a view from that silo's <c>/auth</c> cache.
/// A management change calls it on every silo before it is acknowledged (docs/protocol.md §11.6).
/// </summary>
public interface IAuthViewInvalidationGrain : IGrainWithStringKey
{
    /// <summary>The grain of the silo whose address is <paramref name="siloAddress"/> (its parsable form).</summary>
    public static string KeyFor(string siloAddress) => siloAddress;

    /// <summary>Drops <paramref name="key"/> from this silo's cache; a fetch in flight for it is discarded.</summary>
    Task Invalidate(AuthViewKey key);
}
