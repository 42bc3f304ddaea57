using System.Globalization;
using System.Text.RegularExpressions;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The console's words for what the services refuse: the one place where an API failure (written for
/// API clients: <c>quantity: must be an integer from 1 to 100</c>, <c>Unknown API key</c>) becomes a
/// sentence for the person at the form (<c>Quantity must be a whole number from 1 to 100.</c>), tied to
/// the field it is about. The services, and so the API, keep their own wording.
/// </summary>
public static partial class ConsoleWording
{
    // What each API member is called on the console's forms. A field's id is the member's name unless the
    // page says otherwise (AttemptAsync's fields).
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["appId"] = "App", ["quantity"] = "Quantity", ["maxHwidSlots"] = "HWID slots", ["expiresAt"] = "Expiry", ["label"] = "Label",
        ["variables"] = "Variables", ["name"] = "Name", ["email"] = "Email", ["credits"] = "Starting credits", ["amount"] = "Amount",
        ["reason"] = "Reason", ["url"] = "Webhook URL", ["events"] = "Events", ["scopes"] = "Scopes", ["value"] = "Entry", ["type"] = "Kind",
        ["hwids"] = "HWIDs", ["mode"] = "Mode", ["dailyCreditCap"] = "Daily credit cap", ["status"] = "Status",
        ["failureHttpStatus"] = "Failure mode", ["signingScheme"] = "Signing scheme", ["q"] = "Search text", ["licenseKey"] = "License key",
        ["hwid"] = "HWID", ["ip"] = "IP address", ["result"] = "Result",
    };

    // Members that name no field: the problem is about the whole form or list.
    private static readonly HashSet<string> NotFields = new(StringComparer.Ordinal) { "body", "cursor", "limit", "webhooks", "apiKeys", "request", "action" };

    private delegate string Rewrite(Match match, string label, string? item);

    // API problem (the text after "member: ") → the console's sentence; the first that matches wins.
    private static readonly (Regex Problem, Rewrite Say)[] Rules =
    [
        (new(@"^(required|must not be empty)\b"), (_, label, _) => label switch
        {
            "Events" => "Choose at least one event.",
            "App" => "Choose an app.",
            _ => $"{label} is required.",
        }),
        (new(@"^at least one scope is required"), (_, _, _) => "Choose at least one scope."),
        (new(@"^at most (\d+) characters"), (m, label, _) => $"{label} can be at most {m.Groups[1].Value} characters long."),
        (new(@"^(?:must be )?1(?:-| to )(\d+) characters"), (m, label, _) => $"{label} must be 1 to {m.Groups[1].Value} characters long."),
        (new(@"^must be an integer from (\d+) to (\d+)"), (m, label, _) => $"{label} must be a whole number from {m.Groups[1].Value} to {m.Groups[2].Value}."),
        (new(@"^must be an integer >= (\d+) or null"), (m, label, _) => $"{label} must be a whole number of at least {m.Groups[1].Value}, or empty."),
        (new(@"^must be an integer >= (\d+)"), (m, label, _) => $"{label} must be a whole number of at least {m.Groups[1].Value}."),
        (new(@"^must be an integer"), (_, label, _) => $"{label} must be a whole number."),
        (new(@"^must not be 0"), (_, label, _) => $"{label} must not be 0 (a negative amount corrects the balance)."),
        (new(@"^must (?:be|lie) in the future"), (_, _, _) => "Choose a date in the future."),
        (new(@"^may not be later than the license's expiry \(([^)]+)\)"), (m, _, _) => $"Choose a date no later than the license's expiry ({Readable(m.Groups[1].Value)})."),
        (new(@"^not a date and time"), (_, _, _) => "Enter a date and time, such as 2030-12-31 23:59 (UTC)."),
        (new(@"^(?:not valid JSON|must be a JSON object)"), (_, label, _) => $"{label} must be a JSON object, such as {{\"tier\": \"pro\"}}."),
        (new(@"^not an email address"), (_, _, _) => "Enter an email address, such as name@example.com."),
        (new(@"^must be an IP address or CIDR range"), (_, _, _) => "Enter an IP address (203.0.113.7) or a CIDR range (10.0.0.0/8)."),
        (new(@"^not an IP address"), (_, _, _) => "Enter an IP address, such as 203.0.113.7."),
        (new(@"^must not contain control characters"), (_, label, _) => $"{label} must not contain line breaks, tabs or other control characters."),
        (new(@"^must be https://|^must be an https:// URL"), (_, label, _) => $"{label} must be an https:// address, such as https://example.com/hooks."),
        (new(@"^1 to (\d+) HWIDs"), (m, _, _) => $"Enter 1 to {m.Groups[1].Value} HWIDs, one a line."),
        (new(@"^a bound file needs hwids"), (_, _, _) => "Enter at least one HWID, or choose “any machine” on a license with unlimited HWIDs."),
        (new(@"^each HWID must be a non-empty string of at most (\d+) characters"), (m, _, _) => $"Each HWID can be at most {m.Groups[1].Value} characters long."),
        (new(@"^""any"" needs a license with unlimitedHwidSlots"), (_, _, _) => "A file for any machine needs a license with unlimited HWIDs."),
        (new(@"^the \S+ list is full \(max (\d+) entries\)"), (m, _, _) => $"This list is full ({m.Groups[1].Value} entries): remove an entry first."),
        (new(@"^the correction would take the balance \((-?\d+)\) below 0"), (m, _, _) => $"This correction would take the balance ({Number(m.Groups[1].Value)}) below 0."),
        (new(@"^the grant would take the balance"), (_, _, _) => "This grant would take the balance above the largest balance an account can hold."),
        (new(@"^the calling key does not grant (\S+)"), (m, _, _) => $"Your API key does not have the scope {m.Groups[1].Value}, so it cannot give it to a new key."),
        (new(@"^at most (\d+) per app"), (m, _, _) => $"An app can have at most {m.Groups[1].Value} webhooks: delete one first."),
        (new(@"^an account holds at most (\d+) keys"), (m, _, _) => $"An account can hold at most {m.Groups[1].Value} API keys: revoke one first."),
        (new(@"^not a cursor returned by this list"), (_, _, _) => "This page link is out of date. Start again from the first page."),
        (new(@"^duplicate key"), (_, _, item) => $"Variables name “{item}” twice."),
        (new(@"^must be a string, number or boolean"), (_, _, item) => $"Variable “{item}” must be text, a number, true or false (not an object or a list)."),
        (new(@"^number out of range"), (_, _, item) => $"Variable “{item}” is a number too large to keep."),
        (new(@"^key names must be 1-(\d+) characters"), (m, _, _) => $"Variable names must be 1 to {m.Groups[1].Value} characters long."),
        (new(@"^at most (\d+) keys"), (m, label, _) => $"{label} can hold at most {m.Groups[1].Value} names."),
        (new(@"^at most (\d+) bytes serialized"), (m, label, _) => $"{label} can be at most {m.Groups[1].Value} bytes long."),
    ];

    // Whole messages of refusals that are not about a form's fields.
    private static readonly (Regex Message, Rewrite Say)[] Messages =
    [
        (new(@"^Unknown API key$"), (_, _, _) => "This API key is not known. Check that it was copied whole."),
        (new(@"^Malformed API key$"), (_, _, _) => "This is not an API key: API keys start with af_live_."),
        (new(@"^API key revoked$"), (_, _, _) => "This API key has been revoked."),
        (new(@"^API key expired$"), (_, _, _) => "This API key has expired."),
        (new(@"^The API key lacks the scope (\S+)$"), (m, _, _) => $"Your API key does not have the scope {m.Groups[1].Value}, which this needs."),
        (new(@"^Too many requests for this API key$"), (_, _, _) => "Too many requests with this API key just now. Wait a moment and try again."),
    ];

    /// <summary>
    /// <paramref name="error"/> in the console's words: one sentence per problem, each tied to its field
    /// (the member's name, or the id <paramref name="fields"/> gives it).
    /// </summary>
    public static ConsoleFailure Explain(ApiException error, IReadOnlyDictionary<string, string>? fields = null)
    {
        var problems = (error.Details ?? []).Select(detail => Problem(detail, fields)).ToList();
        if (problems.Count == 0) return new ConsoleFailure(Sentence(error.Message));
        var message = problems.Count == 1 ? problems[0].Text : $"{problems.Count} things need correcting:";
        return new ConsoleFailure(message, problems);
    }

    /// <summary>A refusal's message in the console's words (sign-in, a page the key may not open).</summary>
    public static string Sentence(string message)
    {
        foreach (var (pattern, say) in Messages)
        {
            if (pattern.Match(message) is { Success: true } match) return say(match, "", null);
        }
        return message;
    }

    /// <summary>One API detail (<c>member: problem</c>) in the console's words, with its field.</summary>
    public static ConsoleProblem Problem(string detail, IReadOnlyDictionary<string, string>? fields = null)
    {
        var parts = Detail().Match(detail);
        if (!parts.Success) return new ConsoleProblem(Sentence(detail));
        var member = parts.Groups["member"].Value;
        var item = parts.Groups["item"].Success ? parts.Groups["item"].Value : null;
        var problem = parts.Groups["problem"].Value;
        var label = Labels.GetValueOrDefault(member) ?? member;
        var fieldId = NotFields.Contains(member) ? null : fields?.GetValueOrDefault(member) ?? member;
        foreach (var (pattern, say) in Rules)
        {
            if (pattern.Match(problem) is { Success: true } match) return new ConsoleProblem(say(match, label, item), fieldId);
        }
        // Most other problems read as a sentence after the field's name ("Webhook URL must not target localhost").
        var text = problem.StartsWith("must ", StringComparison.Ordinal) ? $"{label} {problem}" : $"{label}: {problem}";
        return new ConsoleProblem(text.EndsWith('.') ? text : text + ".", fieldId);
    }

    private static string Readable(string utc) =>
        DateTimeOffset.TryParse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? ConsoleFormat.Time(at) : utc;

    private static string Number(string digits) =>
        long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? ConsoleFormat.Number(value) : digits;

    // "quantity: …", "variables.tier: …", "scopes[2]: …"
    [GeneratedRegex(@"^(?<member>[A-Za-z]+)(?:\.(?<item>[^:]+)|\[\d+\])?: (?<problem>.+)$", RegexOptions.Singleline)]
    private static partial Regex Detail();
}
