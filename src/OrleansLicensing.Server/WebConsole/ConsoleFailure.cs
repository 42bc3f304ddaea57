namespace OrleansLicensing.Server.WebConsole;

/// <summary>One problem of a refused form, in the console's words, and the id of the field it is about (if any).</summary>
public sealed record ConsoleProblem(string Text, string? FieldId = null);

/// <summary>
/// A failure shown on a console page (<see cref="ConsoleWording"/> words it): a sentence for the top of
/// the page and the problems, each shown by its field as well when it has one.
/// </summary>
public sealed record ConsoleFailure(string Message, IReadOnlyList<ConsoleProblem> Problems)
{
    /// <summary>A failure that is one sentence, about no field.</summary>
    public ConsoleFailure(string message) : this(message, []) { }

    /// <summary>The problem shown beside the field <paramref name="fieldId"/>, if any.</summary>
    public string? For(string fieldId)
    {
        var texts = Problems.Where(p => p.FieldId == fieldId).Select(p => p.Text).ToList();
        return texts.Count == 0 ? null : string.Join(" ", texts);
    }
}
