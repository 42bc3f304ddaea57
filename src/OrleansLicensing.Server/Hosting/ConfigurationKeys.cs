using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Refuses a key of the <c>Licensing</c> section that no setting reads: the configuration binder
/// ignores what it has no property for, so <c>Licensing__Storage__Provder=PostgreSql</c> would start
/// a silo on SQLite and <c>Licensing:Auth:SesionTokenSecrets:0</c> one with a generated secret. The
/// known keys are the properties of the options types bound to the section, found by reflection, so
/// they cannot drift from what is bound: a list's entries are numbered (<c>SessionTokenSecrets:0</c>),
/// a dictionary takes any child key.
/// </summary>
public sealed class ConfigurationKeys
{
    private readonly string _section;
    private readonly Node _root = new(NodeKind.Object);

    /// <summary>The keys of <paramref name="section"/> that <paramref name="boundTypes"/> read, plus <paramref name="extraKeys"/> (full keys read by hand).</summary>
    public ConfigurationKeys(string section, IEnumerable<Type> boundTypes, IEnumerable<string> extraKeys)
    {
        _section = section;
        foreach (var type in boundTypes) AddProperties(_root, type);
        foreach (var key in extraKeys)
        {
            var segments = key.Split(':');
            if (!segments[0].Equals(section, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"{key} is not under {section}", nameof(extraKeys));
            var parent = _root;
            foreach (var segment in segments[1..^1])
            {
                if (!parent.Children.TryGetValue(segment, out var child)) parent.Children[segment] = child = new Node(NodeKind.Object);
                parent = child;
            }
            parent.Children.TryAdd(segments[^1], new Node(NodeKind.Value));
        }
    }

    /// <summary>The keys this server reads under <c>Licensing</c>: every options type bound to it, and the legacy key read by hand.</summary>
    public static ConfigurationKeys Licensing { get; } = new(
        LicensingOptions.Section,
        [typeof(LicensingOptions), typeof(Observability.ObservabilityOptions)],
        [LicensingOptions.JobOptions.LegacyExpirySweepIntervalKey]);

    /// <summary>
    /// Throws <see cref="LicensingConfigurationException"/> for the first key under the section that is
    /// not a setting, naming the full key and the nearest known one. Values are never echoed: the
    /// misspelt key may hold a secret.
    /// </summary>
    public void EnsureKnown(IConfiguration configuration)
    {
        // Sections without a value of their own are the paths to values, judged with those.
        foreach (var entry in configuration.GetSection(_section).AsEnumerable().Where(e => e.Value is not null).OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (Problem(entry.Key, entry.Value) is { } problem) throw new LicensingConfigurationException(problem);
        }
    }

    /// <summary>What is wrong with <paramref name="key"/> (a full key, <c>Licensing:…</c>) holding <paramref name="value"/>, or <c>null</c> when it is a setting.</summary>
    public string? Problem(string key, string? value)
    {
        var segments = key.Split(':');
        var node = _root;
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            switch (node.Kind)
            {
                case NodeKind.Dictionary:
                    node = node.Element!;
                    continue;
                case NodeKind.List:
                    if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        return $"{key} is not a setting: {string.Join(':', segments[..i])} is a list, its entries are numbered ({string.Join(':', segments[..i])}:0, :1, …)";
                    }
                    node = node.Element!;
                    continue;
                case NodeKind.Value:
                    return $"{key} is not a setting: {string.Join(':', segments[..i])} is a value, not a section";
            }
            if (!node.Children.TryGetValue(segment, out var child))
            {
                return $"{key} is not a setting of this server{Suggestion(segments, i, node)}";
            }
            node = child;
        }
        // An empty value is how JSON files write an empty object or array ("TrustedProxies": []).
        if (node.Kind != NodeKind.Value && !string.IsNullOrEmpty(value))
        {
            return node.Kind == NodeKind.List
                ? $"{key} is a list: set its entries as {key}:0, {key}:1, … (environment: {key.Replace(":", "__", StringComparison.Ordinal)}__0)"
                : $"{key} is a section, not a value: set the keys under it";
        }
        return null;
    }

    /// <summary>
    /// "; did you mean …?": the sibling whose name is nearest the misspelt segment (keeping the rest of
    /// the key), or else the one known key that ends with the given key's remainder (a missing section).
    /// </summary>
    private string Suggestion(string[] segments, int unknown, Node parent)
    {
        var prefix = string.Join(':', segments[..unknown]);
        var rest = segments[(unknown + 1)..];
        var given = segments[unknown];
        var nearest = parent.Children.Keys
            .Select(name => (Name: name, Distance: EditDistance(given.ToLowerInvariant(), name.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, given.Length / 3))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (nearest.Name is not null)
        {
            return $"; did you mean {string.Join(':', [prefix, nearest.Name, .. rest])}?";
        }
        var tail = string.Join(':', segments[unknown..]);
        var elsewhere = Leaves(_root, _section)
            .Where(k => k.EndsWith(":" + tail, StringComparison.OrdinalIgnoreCase))
            .Take(2)
            .ToList();
        return elsewhere.Count == 1 ? $"; did you mean {elsewhere[0]}?" : "";
    }

    private static IEnumerable<string> Leaves(Node node, string path) =>
        node.Kind == NodeKind.Object && node.Children.Count > 0
            ? node.Children.SelectMany(c => Leaves(c.Value, $"{path}:{c.Key}"))
            : [path];

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>The public properties the configuration binder sets on <paramref name="type"/>, as children of <paramref name="node"/>.</summary>
    private static void AddProperties(Node node, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true }) continue;
            if (property.GetCustomAttribute<ConfigurationKeyNameAttribute>() is { } renamed)
            {
                node.Children[renamed.Name] = NodeFor(property.PropertyType);
                continue;
            }
            node.Children[property.Name] = NodeFor(property.PropertyType);
        }
    }

    private static Node NodeFor(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsValue(type)) return new Node(NodeKind.Value);
        if (type.IsArray) return new Node(NodeKind.List) { Element = NodeFor(type.GetElementType()!) };
        if ((GenericArguments(type, typeof(IDictionary<,>)) ?? GenericArguments(type, typeof(IReadOnlyDictionary<,>))) is [_, var value]) return new Node(NodeKind.Dictionary) { Element = NodeFor(value) };
        if (GenericArguments(type, typeof(IEnumerable<>)) is [var element]) return new Node(NodeKind.List) { Element = NodeFor(element) };
        if (typeof(IEnumerable).IsAssignableFrom(type)) return new Node(NodeKind.List) { Element = new Node(NodeKind.Value) };
        var node = new Node(NodeKind.Object);
        AddProperties(node, type);
        return node;
    }

    /// <summary>What the binder converts from one string: primitives, strings, enums, and types with a string converter (TimeSpan, Uri, …).</summary>
    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(object)
        || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static Type[]? GenericArguments(Type type, Type openInterface)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface) return type.GetGenericArguments();
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)?.GetGenericArguments();
    }

    private enum NodeKind { Value, Object, List, Dictionary }

    private sealed class Node(NodeKind kind)
    {
        public NodeKind Kind { get; } = kind;
        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);
        public Node? Element { get; init; }
    }
}
