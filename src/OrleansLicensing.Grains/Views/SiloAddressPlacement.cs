using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansLicensing.Views;

/// <summary>
/// Places a grain on the silo its string key names (<see cref="SiloAddress.ToParsableString"/>), and
/// nowhere else: a call for a silo that is not in the cluster fails instead of activating elsewhere.
/// </summary>
public sealed class SiloAddressPlacement : PlacementStrategy
{
    internal static readonly SiloAddressPlacement Instance = new();
}

/// <summary>Marks a grain class for <see cref="SiloAddressPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloAddressPlacementAttribute() : PlacementAttribute(SiloAddressPlacement.Instance);

/// <summary>The director of <see cref="SiloAddressPlacement"/>.</summary>
public sealed class SiloAddressPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var named = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (silo.Equals(named)) return Task.FromResult(silo);
        }
        throw new SiloUnavailableException($"Silo {named} is not an active member of the cluster.");
    }
}
