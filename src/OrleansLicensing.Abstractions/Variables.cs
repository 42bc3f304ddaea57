namespace OrleansLicensing;

/// <summary>The JSON type of a variable's value.</summary>
public enum VariableKind
{
    /// <summary>A JSON string; <see cref="Variable.Text"/> is the unescaped string.</summary>
    String = 0,
    /// <summary>A JSON number; <see cref="Variable.Text"/> is its JSON text exactly as written (e.g. <c>3</c>, <c>2.5</c>).</summary>
    Number = 1,
    /// <summary>A JSON boolean; <see cref="Variable.Text"/> is <c>true</c> or <c>false</c>.</summary>
    Boolean = 2,
}

/// <summary>
/// One entry of a flat variable object (app or license variables). Values keep their JSON type so
/// that <c>{"seats":3}</c> is written back as <c>3</c>, not <c>"3"</c> or <c>3.0</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Variable(
    [property: Id(0)] string Name,
    [property: Id(1)] VariableKind Kind,
    [property: Id(2)] string Text);

/// <summary>Helpers for variable sets: always kept sorted by name (ordinal), names unique.</summary>
public static class Variables
{
    /// <summary>The empty set.</summary>
    public static readonly Variable[] None = [];

    /// <summary>Sorts by name (ordinal); the order in which payloads write them.</summary>
    public static Variable[] Normalize(IEnumerable<Variable> variables) =>
        variables.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
}
