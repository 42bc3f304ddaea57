using Orleans.Concurrency;
using OrleansLicensing.Licenses;

namespace OrleansLicensing.Benchmarks.Floor;

/// <summary>The floor's stand-in for the license grain: one call, no work (Program, <c>Floor:GrainCalls</c> 1 and 2).</summary>
public interface IFloorLicenseGrain : IGrainWithStringKey
{
    /// <summary>Answers at once, or after asking the account when the validation names one.</summary>
    Task<LicenseVerdict> Validate(LicenseValidation validation);
}

/// <summary>The floor's stand-in for the account grain: reentrant like <c>DeveloperAccountGrain</c>, no work.</summary>
public interface IFloorAccountGrain : IGrainWithStringKey
{
    /// <summary>Answers <c>true</c> at once.</summary>
    Task<bool> Debit(string appId, string nonce);
}

/// <summary>Not reentrant, like <c>LicenseGrain</c>: one call at a time per license.</summary>
public sealed class FloorLicenseGrain : Grain, IFloorLicenseGrain
{
    /// <summary>What every floor answer carries: a bound license with three slots.</summary>
    public static readonly LicensePayloadView View = new(null, 3, false, 1, null, []);

    private static readonly LicenseVerdict Valid = new(LicenseVerdictCode.Ok, View);

    public async Task<LicenseVerdict> Validate(LicenseValidation validation)
    {
        if (validation.AccountId.Length > 0)
        {
            await GrainFactory.GetGrain<IFloorAccountGrain>(validation.AccountId).Debit(validation.AppId, validation.Nonce);
        }
        return Valid;
    }
}

/// <summary>Reentrant, like <c>DeveloperAccountGrain</c>: every license's calls share the one activation.</summary>
[Reentrant]
public sealed class FloorAccountGrain : Grain, IFloorAccountGrain
{
    public Task<bool> Debit(string appId, string nonce) => Task.FromResult(true);
}
