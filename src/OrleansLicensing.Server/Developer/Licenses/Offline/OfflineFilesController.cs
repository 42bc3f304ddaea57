using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>
/// Offline license files of docs/developer-api.md §4.3a: mint (<c>write:licenses</c>), list and download again
/// (<c>read:licenses</c>). The rules are in <see cref="OfflineFileService"/>, shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/licenses/{licenseKey}/offline-files"), Produces("application/json")]
public sealed class OfflineFilesController(OfflineFileService files) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Mints a file; <c>Accept: application/x-authforge-license</c> answers with the file itself.</summary>
    [HttpPost(Name = "mintOfflineFile"), RequireScope(DeveloperScopes.WriteLicenses)]
    [ProducesResponseType<OfflineFileResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Mint(string licenseKey, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] MintOfflineFileRequest? body)
    {
        var requestKey = Request.Headers.TryGetValue(Idempotency.Header, out var keyHeader) ? keyHeader.ToString() : null;
        var file = await files.MintAsync(Caller, licenseKey, body, requestKey);
        var location = $"/v1/licenses/{file.LicenseKey}/offline-files/{file.FileId}";
        if (WantsFile(Request))
        {
            Response.Headers.Location = location;
            return FileText(file, StatusCodes.Status201Created);
        }
        return Created(location, OfflineFileResponse.From(file, withText: true));
    }

    /// <summary>The files issued for the license, oldest first, without their text.</summary>
    [HttpGet(Name = "listOfflineFiles"), RequireScope(DeveloperScopes.ReadLicenses)]
    public Task<OfflineFileListResponse> List(string licenseKey, [FromQuery] string? limit, [FromQuery] string? cursor) =>
        files.ListAsync(Caller, licenseKey, limit, cursor);

    /// <summary>One file again, with the same bytes as first issued.</summary>
    [HttpGet("{fileId}", Name = "getOfflineFile"), RequireScope(DeveloperScopes.ReadLicenses)]
    [ProducesResponseType<OfflineFileResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Get(string licenseKey, string fileId)
    {
        var file = await files.GetAsync(Caller, licenseKey, fileId);
        return WantsFile(Request) ? FileText(file, StatusCodes.Status200OK) : Ok(OfflineFileResponse.From(file, withText: true));
    }

    private static bool WantsFile(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(OfflineFileWriter.MediaType, StringComparison.OrdinalIgnoreCase));

    private ContentResult FileText(OfflineFile file, int status)
    {
        Response.Headers.ContentDisposition = $"attachment; filename=\"{file.LicenseKey}.authforge\"";
        return new ContentResult { StatusCode = status, Content = file.Text, ContentType = OfflineFileWriter.MediaType + "; charset=utf-8" };
    }
}
