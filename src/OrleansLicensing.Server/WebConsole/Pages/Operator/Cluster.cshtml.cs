using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime;

namespace OrleansLicensing.Server.WebConsole.Pages.Operator;

/// <summary>
/// The cluster as Orleans' management grain reports it: silos with their status, and grain activations per silo and type;
/// auth requests and failures per minute of the last hour, added up over the silos (<see cref="ClusterTraffic"/>).
/// </summary>
[ConsoleArea(ConsoleSessionKind.Operator)]
public sealed class ClusterModel(IGrainFactory grains, ClusterTraffic traffic) : ConsolePageModel
{
    /// <summary>One silo row.</summary>
    public sealed record SiloRow(string Address, string Name, string Host, string Status, DateTime StartedAt, DateTime LastAlive, int Activations);

    /// <summary>One grain type's activations in the cluster.</summary>
    public sealed record GrainRow(string GrainType, int Activations);

    public IReadOnlyList<SiloRow> Silos { get; private set; } = [];
    public IReadOnlyList<GrainRow> Grains { get; private set; } = [];

    /// <summary>Minutes shown in the traffic charts.</summary>
    public const int TrafficMinutes = 60;

    /// <summary>Auth requests per minute of the last hour, oldest first.</summary>
    public IReadOnlyList<TrafficMinute> Traffic { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var statistics = await management.GetSimpleGrainStatistics();
        var perSilo = statistics.GroupBy(s => s.SiloAddress).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        Silos = [.. hosts.OrderBy(h => h.SiloName).Select(h => new SiloRow(
            h.SiloAddress.ToString(), h.SiloName, h.HostName, h.Status.ToString(), h.StartTime, h.IAmAliveTime,
            perSilo.GetValueOrDefault(h.SiloAddress)))];
        Grains = [.. statistics.GroupBy(s => s.GrainType).Select(g => new GrainRow(ShortName(g.Key), g.Sum(s => s.ActivationCount)))
            .OrderByDescending(g => g.Activations).ThenBy(g => g.GrainType)];
        Traffic = await traffic.ReadAsync(TrafficMinutes, HttpContext.RequestAborted);
        return Page();
    }

    private static string ShortName(string grainType) => grainType.Split(',')[0].Split('.')[^1];
}
