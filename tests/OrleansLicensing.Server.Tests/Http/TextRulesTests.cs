namespace OrleansLicensing.Server.Http;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("del\u007F")]
    [InlineData("c1\u0085")]
    public void Control_characters_are_found(string text) => Assert.True(TextRules.HasControlCharacters(text));

    [Theory]
    [InlineData("Acme Tools GmbH")]
    [InlineData("Ünïcödé — “quotes” 日本 😀")]
    [InlineData("nbsp\u00A0ok")]
    [InlineData("")]
    public void Text_for_people_passes(string text) => Assert.False(TextRules.HasControlCharacters(text));
}
