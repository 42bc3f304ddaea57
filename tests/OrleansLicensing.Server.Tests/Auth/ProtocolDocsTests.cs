using System.Text.RegularExpressions;

namespace OrleansLicensing.Server.Auth;

/// <summary>docs/protocol.md states the error registry the server uses: every code, with its semantic status.</summary>
public sealed partial class ProtocolDocsTests
{
    [GeneratedRegex(@"^\| `(?<code>[a-z_]+)` \|.*\| (?<status>\d{3}) \|$", RegexOptions.Multiline)]
    private static partial Regex CodeRow();

    [Fact]
    public void The_protocol_page_lists_every_error_code_with_its_semantic_status()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrleansLicensing.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var page = File.ReadAllText(Path.Combine(root.FullName, "docs", "protocol.md"));

        var documented = CodeRow().Matches(page).ToDictionary(m => m.Groups["code"].Value, m => int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture));
        var registry = AuthErrors.All.ToDictionary(e => e.Code(), e => e.SemanticStatus());
        Assert.Equal(registry.OrderBy(e => e.Key), documented.OrderBy(e => e.Key));
        Assert.DoesNotContain("§", page);
    }
}
