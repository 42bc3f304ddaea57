using System.Security.Cryptography;
using System.Text.Json;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Makes a console form that creates something safe to send twice (a reload of its answer, a double
/// click). The form carries a random operation id; the first send claims it in the table behind
/// <c>Idempotency-Key</c> (<see cref="IdempotencyStore"/>, cluster-wide, kept 24 h), runs, and stores
/// what it created, encrypted under the master key like the API's stored responses. A later send with
/// the same id runs nothing and gets the stored result back. A refused send gives the id back, so the
/// corrected form may run once.
/// </summary>
public sealed class ConsoleOperations(IdempotencyStore store, SecretProtector protector, TimeProvider time)
{
    // A second send that arrives while the first still runs waits for its result (grain calls time out after 30 s).
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(35);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>A new operation id for a form.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The operation id a page puts in its form: the one just sent when the send was refused (so the
    /// corrected form still runs at most once), else a new one (the next send is a new operation).
    /// </summary>
    public static string IdForForm(string? sent, bool refused) => refused && !string.IsNullOrEmpty(sent) ? sent : NewId();

    /// <summary>
    /// Runs <paramref name="action"/> once per (<paramref name="accountId"/>, <paramref name="kind"/>,
    /// <paramref name="operationId"/>). Returns its result, and whether it is the stored result of an
    /// earlier send. Without an operation id the action simply runs.
    /// </summary>
    public async Task<(T Result, bool Replayed)> OnceAsync<T>(string accountId, string kind, string? operationId, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        if (operationId is not { Length: > 0 and <= 64 }) return (await action(), false);
        var key = $"console:{kind}:{operationId}";
        var purpose = $"console-operation\n{accountId}\n{key}";
        var token = NewId();
        var deadline = time.GetUtcNow() + WaitForFirst;
        while (true)
        {
            var outcome = await store.TryClaimAsync(accountId, key, kind, token, time.GetUtcNow(), Idempotency.Window, Idempotency.Lease, cancellationToken);
            if (outcome.Status == ClaimStatus.Claimed) break;
            if (outcome.Status == ClaimStatus.Completed)
            {
                return (JsonSerializer.Deserialize<T>(protector.Unprotect(purpose, outcome.Response!.ProtectedBody))!, true);
            }
            if (outcome.Status == ClaimStatus.FingerprintMismatch || time.GetUtcNow() > deadline)
            {
                throw new ApiException(ApiErrors.Conflict, "This form was already sent and has not finished; open the page again to see what it did");
            }
            await Task.Delay(PollEvery, time, cancellationToken);
        }

        T result;
        try
        {
            result = await action();
        }
        catch
        {
            await store.ReleaseAsync(accountId, key, token, CancellationToken.None);
            throw;
        }
        var stored = new StoredResponse(StatusCodes.Status200OK, "application/json", null, protector.Protect(purpose, JsonSerializer.SerializeToUtf8Bytes(result)));
        await store.CompleteAsync(accountId, key, token, stored, time.GetUtcNow(), CancellationToken.None);
        return (result, false);
    }
}
