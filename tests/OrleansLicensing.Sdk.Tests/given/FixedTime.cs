namespace OrleansLicensing.Sdk.given;

/// <summary>A clock stopped at one instant (the <c>now</c> of an offline vector case).</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
