using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;

namespace OrleansLicensing.Server.Http;

/// <summary>Enum values of the management APIs are read in their exact wire spelling only (developer-api.md §2).</summary>
public sealed class ExactEnumConverterTests
{
    [Theory]
    [InlineData("\"revoke\"", LicenseAction.Revoke)]
    [InlineData("\"reset-hwid\"", LicenseAction.ResetHwid)]
    public void License_actions_are_read_as_spelled(string json, LicenseAction expected) =>
        Assert.Equal(expected, JsonSerializer.Deserialize<LicenseAction>(json, JsonDefaults.Options));

    [Theory]
    [InlineData("\"ed25519\"", SigningScheme.Ed25519)]
    [InlineData("\"hmac-v1\"", SigningScheme.HmacV1)]
    [InlineData("\"hmac-v2\"", SigningScheme.HmacV2)]
    public void Signing_schemes_are_read_as_spelled(string json, SigningScheme expected) =>
        Assert.Equal(expected, JsonSerializer.Deserialize<SigningScheme>(json, JsonDefaults.Options));

    [Theory]
    [InlineData("\"REVOKE\"")]
    [InlineData("\"Revoke\"")]
    [InlineData("\" revoke\"")]
    [InlineData("\"revoke \"")]
    [InlineData("\"ResetHwid\"")]
    [InlineData("\"reset_hwid\"")]
    [InlineData("0")]
    [InlineData("null")]
    public void Other_spellings_of_an_action_are_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<LicenseAction>(json, JsonDefaults.Options));

    [Theory]
    [InlineData("\"ED25519\"")]
    [InlineData("\"HMAC-V1\"")]
    [InlineData("\"HmacV1\"")]
    [InlineData("\"semantic\"")]
    public void Other_spellings_of_a_scheme_are_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SigningScheme>(json, JsonDefaults.Options));

    [Theory]
    [InlineData("\"always200\"", FailureMode.Always200)]
    [InlineData("\"semantic\"", FailureMode.Semantic)]
    public void Snake_case_enums_are_read_as_spelled(string json, FailureMode expected) =>
        Assert.Equal(expected, JsonSerializer.Deserialize<FailureMode>(json, JsonDefaults.Options));

    [Theory]
    [InlineData("\"SEMANTIC\"")]
    [InlineData("\"Always200\"")]
    public void Snake_case_enums_refuse_other_cases(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<FailureMode>(json, JsonDefaults.Options));

    [Fact]
    public void Values_are_written_in_their_wire_spelling() =>
        Assert.Equal("""["hmac-v1","reset-hwid","always200"]""",
            JsonSerializer.Serialize(new object[] { SigningScheme.HmacV1, LicenseAction.ResetHwid, FailureMode.Always200 }, JsonDefaults.Options));
}
