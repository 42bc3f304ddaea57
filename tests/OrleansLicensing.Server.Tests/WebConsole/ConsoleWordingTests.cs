using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary><see cref="ConsoleWording"/>: the services' API wording becomes sentences for the console, tied to fields.</summary>
public sealed class ConsoleWordingTests
{
    [Theory]
    [InlineData("name: required", "Name is required.", "name")]
    [InlineData("name: must not be empty", "Name is required.", "name")]
    [InlineData("quantity: must be an integer from 1 to 100", "Quantity must be a whole number from 1 to 100.", "quantity")]
    [InlineData("maxHwidSlots: must be an integer from 1 to 16", "HWID slots must be a whole number from 1 to 16.", "maxHwidSlots")]
    [InlineData("label: at most 128 characters", "Label can be at most 128 characters long.", "label")]
    [InlineData("label: must not contain control characters (line breaks, tabs, U+0000)", "Label must not contain line breaks, tabs or other control characters.", "label")]
    [InlineData("expiresAt: must be in the future", "Choose a date in the future.", "expiresAt")]
    [InlineData("expiresAt: must lie in the future", "Choose a date in the future.", "expiresAt")]
    [InlineData("expiresAt: not a date and time (YYYY-MM-DD HH:MM, UTC)", "Enter a date and time, such as 2030-12-31 23:59 (UTC).", "expiresAt")]
    [InlineData("variables: not valid JSON (write an object such as {\"tier\": \"pro\"})", "Variables must be a JSON object, such as {\"tier\": \"pro\"}.", "variables")]
    [InlineData("variables.tier: must be a string, number or boolean (variables are flat)", "Variable “tier” must be text, a number, true or false (not an object or a list).", "variables")]
    [InlineData("dailyCreditCap: must be an integer >= 1 or null", "Daily credit cap must be a whole number of at least 1, or empty.", "dailyCreditCap")]
    [InlineData("credits: must be an integer >= 0", "Starting credits must be a whole number of at least 0.", "credits")]
    [InlineData("amount: must not be 0 (negative = correction)", "Amount must not be 0 (a negative amount corrects the balance).", "amount")]
    [InlineData("amount: the correction would take the balance (1500) below 0", "This correction would take the balance (1,500) below 0.", "amount")]
    [InlineData("email: not an email address", "Enter an email address, such as name@example.com.", "email")]
    [InlineData("value: must be an IP address or CIDR range", "Enter an IP address (203.0.113.7) or a CIDR range (10.0.0.0/8).", "value")]
    [InlineData("url: must be an https:// URL", "Webhook URL must be an https:// address, such as https://example.com/hooks.", "url")]
    [InlineData("url: must not target localhost", "Webhook URL must not target localhost.", "url")]
    [InlineData("events: required; one or more of license.created, license.revoked", "Choose at least one event.", "events")]
    [InlineData("scopes: at least one scope is required", "Choose at least one scope.", "scopes")]
    [InlineData("scopes[1]: the calling key does not grant admin:apps", "Your API key does not have the scope admin:apps, so it cannot give it to a new key.", "scopes")]
    [InlineData("hwids: 1 to 16 HWIDs", "Enter 1 to 16 HWIDs, one a line.", "hwids")]
    [InlineData("q: at most 250 characters", "Search text can be at most 250 characters long.", "q")]
    [InlineData("licenseKey: must be 1-64 characters", "License key must be 1 to 64 characters long.", "licenseKey")]
    [InlineData("ip: not an IP address", "Enter an IP address, such as 203.0.113.7.", "ip")]
    [InlineData("cursor: not a cursor returned by this list", "This page link is out of date. Start again from the first page.", null)]
    [InlineData("webhooks: at most 10 per app", "An app can have at most 10 webhooks: delete one first.", null)]
    [InlineData("apiKeys: an account holds at most 50 keys; revoke one first", "An account can hold at most 50 API keys: revoke one first.", null)]
    public void An_api_detail_becomes_a_sentence_about_its_field(string detail, string sentence, string? field)
    {
        var problem = ConsoleWording.Problem(detail);
        Assert.Equal(sentence, problem.Text);
        Assert.Equal(field, problem.FieldId);
    }

    [Fact]
    public void A_page_names_the_field_a_member_is_typed_into()
    {
        var fields = new Dictionary<string, string> { ["url"] = "webhookUrl" };
        Assert.Equal("webhookUrl", ConsoleWording.Problem("url: required", fields).FieldId);
        Assert.Equal("Webhook URL is required.", ConsoleWording.Problem("url: required", fields).Text);
    }

    [Fact]
    public void One_problem_is_the_message_several_are_counted_and_listed()
    {
        var one = ConsoleWording.Explain(ApiException.BadRequest("name: required"));
        Assert.Equal("Name is required.", one.Message);
        Assert.Equal("Name is required.", one.For("name"));

        var two = ConsoleWording.Explain(ApiException.BadRequest("name: required", "scopes: at least one scope is required"));
        Assert.Equal("2 things need correcting:", two.Message);
        Assert.Equal(["Name is required.", "Choose at least one scope."], two.Problems.Select(p => p.Text));
        Assert.Null(two.For("expiresAt"));
    }

    [Fact]
    public void Refusals_without_details_keep_their_message_unless_it_is_worded_for_api_clients()
    {
        Assert.Equal("License ABCD-EFGH-JKLM-NPQR not found", ConsoleWording.Explain(ApiException.NotFound("License ABCD-EFGH-JKLM-NPQR not found")).Message);
        Assert.Equal("This API key has been revoked.", ConsoleWording.Sentence("API key revoked"));
        Assert.Equal("Your API key does not have the scope write:licenses, which this needs.", ConsoleWording.Sentence("The API key lacks the scope write:licenses"));
    }
}
