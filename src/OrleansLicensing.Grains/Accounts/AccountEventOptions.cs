namespace OrleansLicensing.Accounts;

/// <summary>When an account raises account-wide events (<c>Licensing:Webhooks</c> configuration).</summary>
public sealed class AccountEventOptions
{
    /// <summary><c>credits.low</c> is raised when a change takes the balance from at least this value to below it.</summary>
    public long CreditsLowThreshold { get; set; } = 100;
}
