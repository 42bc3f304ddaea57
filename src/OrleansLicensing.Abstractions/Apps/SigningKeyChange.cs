namespace OrleansLicensing.Apps;

/// <summary>How a staged-rotation step ended.</summary>
public enum SigningKeyChangeOutcome
{
    /// <summary>The change is durable.</summary>
    Done = 0,
    /// <summary>The app does not exist.</summary>
    AppNotFound = 1,
    /// <summary>The app has no key with that id.</summary>
    KeyNotFound = 2,
    /// <summary>The key is not in a state that allows the step (a second next key, promoting a non-next key, removing the current key).</summary>
    Conflict = 3,
}

/// <summary>The result of a staged-rotation step: the key it concerned (when done) and the app afterwards.</summary>
[GenerateSerializer, Immutable]
public sealed record SigningKeyChange(
    [property: Id(0)] SigningKeyChangeOutcome Outcome,
    [property: Id(1)] PublicSigningKey? Key = null,
    [property: Id(2)] AppSnapshot? App = null);
