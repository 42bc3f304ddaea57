namespace OrleansLicensing;

/// <summary>
/// <c>grains.Reference&lt;TGrain&gt;(key)</c>: the same reference as Orleans'
/// <c>GetGrain&lt;TGrain&gt;(key)</c>, without that method's per-call work. Orleans 10.4 resolves the
/// interface's grain type on every <c>GetGrain</c> (a custom-attribute read by reflection and a
/// type-name format), which was about 3.5 % of the server's CPU on a bound validate (two lookups per
/// request; docs/benchmarks.md, "Grain references without the per-call type lookup"). Here Orleans
/// resolves the grain type and interface type once per interface, and every later reference is built
/// from them and the key. The request path uses this; a management call can use either.
/// </summary>
public static class GrainReferences
{
    /// <summary>The reference to the <typeparamref name="TGrain"/> grain with string key <paramref name="key"/>.</summary>
    public static TGrain Reference<TGrain>(this IGrainFactory grains, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (Resolved<TGrain>.Types is { } types)
        {
            return (TGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        var reference = grains.GetGrain<TGrain>(key);
        var resolved = (GrainReference)(object)reference;
        Resolved<TGrain>.Types = new ResolvedTypes(resolved.GrainId.Type, resolved.InterfaceType);
        return reference;
    }

    /// <summary>
    /// The types of one interface. Grain and interface types are derived from the grain classes and
    /// interfaces by name, so they are the same for every silo and client of a deployment.
    /// </summary>
    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Resolved<TGrain>
    {
        public static volatile ResolvedTypes? Types;
    }
}
