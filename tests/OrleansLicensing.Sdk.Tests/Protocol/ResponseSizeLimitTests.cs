using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// The response size bound (docs/sdk.md): a body beyond 1 MiB is an unreadable answer — R2 of
/// docs/protocol.md §17.4, <c>invalid_json_response</c> (<c>http_error_&lt;n&gt;</c> for status ≥ 400) — and
/// the SDK stops reading it at the bound. A real Kestrel server streams the bodies.
/// </summary>
public sealed class ResponseSizeLimitTests
{
    private const int MiB = 1024 * 1024;

    /// <summary>The start of a failure envelope whose padding string the tests fill to the size they need.</summary>
    private const string Head = "{\"status\":\"failed\",\"error\":\"invalid_key\",\"pad\":\"";
    private const string Tail = "\"}";

    /// <summary>A complete failure envelope of exactly <paramref name="length"/> bytes: its code shows the body was read whole.</summary>
    private static byte[] EnvelopeOfLength(int length) =>
        Encoding.ASCII.GetBytes(Head + new string('a', length - Head.Length - Tail.Length) + Tail);

    private static LicensingClient ClientFor(Uri server, int maxRetries = 0, HttpClient? http = null, TimeSpan? requestTimeout = null) => new(new LicensingClientOptions
    {
        AppId = "test-app",
        AppSecret = "unused",
        PublicKeys = [OfflineFileSigner.PublicKey],
        ApiBaseUrl = server,
        HeartbeatMode = HeartbeatMode.None,
        HwidOverride = "size-limit-hwid",
        MaxRetries = maxRetries,
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
        TimeProvider = new FastTime(),
    }, http);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void The_bound_is_1_MiB()
    {
        Assert.Equal(MiB, ResponseBody.MaxBytes);
    }

    [Theory]
    [InlineData(false, 0, "invalid_key")]
    [InlineData(false, 1, LicensingErrorCodes.InvalidJsonResponse)]
    [InlineData(true, 0, "invalid_key")]
    [InlineData(true, 1, LicensingErrorCodes.InvalidJsonResponse)]
    public async Task A_body_of_exactly_1_MiB_is_read_and_one_byte_more_is_an_invalid_response(bool announceLength, int extra, string expected)
    {
        var body = EnvelopeOfLength(MiB + extra);
        await using var server = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            if (announceLength) context.Response.ContentLength = body.Length;
            // Several writes, so an unannounced body arrives chunked and in pieces.
            for (var i = 0; i < body.Length; i += 100_000) await context.Response.Body.WriteAsync(body.AsMemory(i, Math.Min(100_000, body.Length - i)));
        });
        using var client = ClientFor(server.BaseAddress);

        var result = await client.ValidateLicenseAsync("KEY-0000", Cancel);

        Assert.Equal(expected, result.Code);
        Assert.Equal(200, result.Error!.HttpStatus);
    }

    /// <summary>What the server managed to hand to the socket of one answer, and whether the client hung up on it.</summary>
    private sealed record Sent(long Bytes, bool ClosedByClient);

    [Theory]
    [InlineData(200, LicensingErrorCodes.InvalidJsonResponse, true)]
    [InlineData(502, "http_error_502", true)]
    [InlineData(200, LicensingErrorCodes.InvalidJsonResponse, false)]
    public async Task An_endless_body_fails_at_the_bound_without_reading_the_rest_and_is_retried_as_transient(int status, string expected, bool ownHttpClient)
    {
        // Large enough that reading it whole takes visible time and memory; a complete envelope, so a client
        // that does read it all reports invalid_key instead.
        const long total = 256L * MiB;
        var sent = new ConcurrentQueue<Sent>();
        await using var server = new RawHttpServer(async stream =>
        {
            long written = 0;
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
                await WriteChunk(stream, Encoding.ASCII.GetBytes(Head));
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)'a');
                while (written < total)
                {
                    await WriteChunk(stream, chunk);
                    written += chunk.Length;
                }
                await WriteChunk(stream, Encoding.ASCII.GetBytes(Tail));
                await stream.WriteAsync(Encoding.ASCII.GetBytes("0\r\n\r\n"));
                sent.Enqueue(new Sent(written, ClosedByClient: false));
            }
            catch (IOException)
            {
                sent.Enqueue(new Sent(written, ClosedByClient: true));
            }
        });
        using var vendorHttp = ownHttpClient ? null : new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var client = ClientFor(server.BaseAddress, maxRetries: 1, http: vendorHttp);

        var result = await client.ValidateLicenseAsync("KEY-0000", Cancel);

        Assert.Equal((expected, status, true, 2), (result.Code, result.Error!.HttpStatus, result.Error.IsTransient, result.Error.Attempts));
        Assert.IsType<InvalidDataException>(result.Error.InnerException);
        await Eventually.True(() => Task.FromResult(sent.Count >= 2), TimeSpan.FromSeconds(20), () => Task.FromResult($"{sent.Count} of 2 responses ended"));
        Assert.Equal(2, sent.Count);
        // The client hung up: the server could not finish, and got rid of little beyond what the socket buffers
        // hold and what the HTTP handler discards before closing (its drain limit, 1 MiB by default).
        Assert.All(sent, s => Assert.True(s.ClosedByClient && s.Bytes < 32L * MiB, $"server sent {s.Bytes} bytes, closed by client: {s.ClosedByClient}"));
    }

    private static async Task WriteChunk(Stream stream, byte[] data)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"));
        await stream.WriteAsync(data);
        await stream.WriteAsync("\r\n"u8.ToArray());
    }

    [Fact]
    public async Task A_Content_Length_beyond_the_bound_fails_at_once_without_waiting_for_the_body()
    {
        var aborted = new TaskCompletionSource();
        await using var server = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 10L * MiB;
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(Head));
            await context.Response.Body.FlushAsync();
            // The rest of the body never comes: only the announced length can end this call in time.
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        using var client = ClientFor(server.BaseAddress, requestTimeout: TimeSpan.FromSeconds(10));

        var elapsed = Stopwatch.StartNew();
        var result = await client.ValidateLicenseAsync("KEY-0000", Cancel);

        Assert.Equal(LicensingErrorCodes.InvalidJsonResponse, result.Code);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"took {elapsed.Elapsed}");
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
    }
}
