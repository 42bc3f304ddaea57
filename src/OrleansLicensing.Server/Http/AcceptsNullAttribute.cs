namespace OrleansLicensing.Server.Http;

/// <summary>
/// Marks a request member whose JSON <c>null</c> means something ("no expiry", "no label", "no cap").
/// Every other member of a request body refuses an explicit <c>null</c> (see <see cref="RequestBodyNulls"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class AcceptsNullAttribute : Attribute;
