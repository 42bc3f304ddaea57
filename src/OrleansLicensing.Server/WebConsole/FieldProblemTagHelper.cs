using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Shows a refused form's problem beside its field: a field (<c>input</c>, <c>select</c>,
/// <c>textarea</c>, or a <c>fieldset</c> of checkboxes) whose id a problem of the page's
/// <see cref="ConsolePageModel.Failure"/> names gets the problem's sentence right after it (inside a
/// fieldset, after its boxes), that sentence in its <c>aria-describedby</c>, and <c>aria-invalid</c>
/// (a fieldset, whose group role has no <c>aria-invalid</c>, the class <c>invalid</c>), so every form
/// shows its problems where they are without markup of its own.
/// </summary>
[HtmlTargetElement("input", Attributes = "id", TagStructure = TagStructure.WithoutEndTag)]
[HtmlTargetElement("select", Attributes = "id")]
[HtmlTargetElement("textarea", Attributes = "id")]
[HtmlTargetElement("fieldset", Attributes = "id")]
public sealed class FieldProblemTagHelper : TagHelper
{
    [ViewContext, HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    // After the framework's own input helpers, so their attributes are final.
    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if (ViewContext.ViewData.Model is not ConsolePageModel { Failure: { } failure }) return;
        if (output.Attributes["id"]?.Value?.ToString() is not { Length: > 0 } id || failure.For(id) is not { } problem) return;
        var problemId = id + "-problem";
        if (output.TagName == "fieldset") output.AddClass("invalid", HtmlEncoder.Default);
        else output.Attributes.SetAttribute("aria-invalid", "true");
        var describedBy = output.Attributes["aria-describedby"]?.Value?.ToString();
        output.Attributes.SetAttribute("aria-describedby", string.IsNullOrEmpty(describedBy) ? problemId : $"{problemId} {describedBy}");
        var sentence = $"<span class=\"field-problem\" id=\"{HtmlEncoder.Default.Encode(problemId)}\">{HtmlEncoder.Default.Encode(problem)}</span>";
        if (output.TagName == "fieldset") output.PostContent.AppendHtml(sentence);
        else output.PostElement.AppendHtml(sentence);
    }
}
