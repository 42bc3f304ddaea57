using OrleansLicensing.Accounts;
using OrleansLicensing.Events;

namespace OrleansLicensing.Licenses;

/// <summary>
/// The license's share of the /auth request path (§8.2 V8, V10–V13; §9.2 H10–H14): its per-license
/// buckets, the HWID checks and binding, heartbeat counting and billing, each outcome handed to the
/// account for the debit and the replay step.
/// </summary>
public sealed partial class LicenseGrain
{
    // The per-license buckets (docs/protocol.md §14: V8 and H10), keyed by the asking app: one
    // activation per license in the cluster makes them exact. A bucket lost with its activation
    // (collected after minutes of quiet) would have refilled anyway.
    private readonly Dictionary<string, Limits.TokenBucket> _validateBuckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Limits.TokenBucket> _heartbeatBuckets = new(StringComparer.Ordinal);

    // The nonce of the last validate that took a V8 token here: the edge's repeat of that request
    // after a silo loss (LicenseValidation.Repeat) takes no second one. Repeats are sequential (the
    // edge awaits each attempt) and this grain takes one call at a time, so the last one suffices.
    private string? _lastValidateToken;

    public async Task<LicenseVerdict> Validate(LicenseValidation request)
    {
        ThrowIfBroken();
        if (request.LicenseBucket is { } bucket && !(request.Repeat && request.Nonce.Length > 0 && request.Nonce == _lastValidateToken))
        {
            if (Take(_validateBuckets, request.AppId, bucket) is { Allowed: false } refused)
            {
                return new LicenseVerdict(LicenseVerdictCode.RateLimited, null, refused.RetryAfterSeconds);      // V8
            }
            _lastValidateToken = request.Nonce;
        }
        await ResolveIntentsAsync();
        var nonce = string.IsNullOrEmpty(request.Nonce) ? null : request.Nonce;
        var now = time.GetUtcNow();

        // V10–V13 decide nothing durable, so they are evaluated first; the replay step (V9) still
        // comes before their answer: a failing license only records the nonce, a passing one has the
        // account record it with the debit, in one write.
        var bound = Exists && IndexOf(request.Hwid) >= 0;
        var refusal = !Exists || S.AppId != request.AppId ? LicenseVerdictCode.InvalidKey                      // V10
            : S.Status == LicenseStatus.Revoked ? LicenseVerdictCode.Revoked                                    // V11
            : IsExpired(now) ? LicenseVerdictCode.Expired                                                       // V12
            : !bound && !S.UnlimitedHwidSlots && S.Hwids.Count >= S.MaxHwidSlots ? LicenseVerdictCode.HwidMismatch // V13
            : LicenseVerdictCode.Ok;
        if (refusal != LicenseVerdictCode.Ok)
        {
            var accountId = Exists && S.AppId == request.AppId ? S.AccountId : request.AccountId;
            if (nonce is not null && accountId.Length > 0
                && !await GrainFactory.Reference<IDeveloperAccountGrain>(accountId).RecordNonce(request.AppId, nonce))
            {
                return LicenseVerdict.Fail(LicenseVerdictCode.ReplayDetected);                                 // V9
            }
            return LicenseVerdict.Fail(refusal);
        }

        if (bound)
        {
            // Already bound: the debit (with the nonce) is the only durable effect, group-committed by the account.
            var debit = await Account.DebitUsage(new UsageDebit(
                S.AppId, S.LicenseKey, CreditEntryKind.Validate, request.DailyCreditCap, null, ValidatedEvent(request, now), nonce));
            if (debit.Status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(debit.Status));     // V9, V14, V15
            Touch(request.Hwid, request.Ip, now);
            S.LastValidatedAt = now;
            MarkDirty();
            return Ok();
        }

        // V14–V16 for a new HWID: reserve the slot durably, then let the account decide.
        var intent = new LicenseIntent(NewIntentId(), LicenseIntentKind.Bind, request.Hwid, request.Ip, now);
        var status = await CommitIntentAsync(intent, CreditEntryKind.Validate, request.DailyCreditCap, ValidatedEvent(request, now), nonce);
        if (status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(status));
        S.LastValidatedAt = now;
        _forgettable.Add(intent.IntentId);
        await WriteAsync();
        return Ok();
    }

    public async Task<LicenseVerdict> Heartbeat(LicenseHeartbeat request)
    {
        ThrowIfBroken();
        if (request.LicenseBucket is { } bucket && Take(_heartbeatBuckets, request.AppId, bucket) is { Allowed: false } refused)
        {
            return new LicenseVerdict(LicenseVerdictCode.RateLimited, null, refused.RetryAfterSeconds);          // H10
        }
        await ResolveIntentsAsync();
        if (!Exists || S.AppId != request.AppId) return LicenseVerdict.Fail(LicenseVerdictCode.SessionExpired); // H11
        var now = time.GetUtcNow();
        if (S.Status == LicenseStatus.Revoked) return LicenseVerdict.Fail(LicenseVerdictCode.Revoked);            // H12
        if (IsExpired(now)) return LicenseVerdict.Fail(LicenseVerdictCode.Expired);                              // H13
        if (!S.UnlimitedHwidSlots && IndexOf(request.Hwid) < 0) return LicenseVerdict.Fail(LicenseVerdictCode.SessionExpired); // H14

        var billable = (S.HeartbeatCount + 1) % Math.Max(1, request.BillingInterval) == 0;
        if (!billable)
        {
            // Counted durably before it is acknowledged (the silo's group-committed counter write),
            // so a crash of this silo cannot lose it (§13.5). No call to the account: nothing is debited.
            await heartbeatCounters.RaiseAsync(S.LicenseKey, S.HeartbeatCount + 1);
            S.HeartbeatCount++;
            Touch(request.Hwid, request.Ip, now);
            MarkDirty();
            return Ok();
        }

        // H15–H17: the account's debit decides, and the same group-committed write of the account
        // raises the stored counter to this ordinal, so a crash cannot separate them (§13.5).
        var status = await BillHeartbeatAsync(S.HeartbeatCount + 1, request.DailyCreditCap);
        if (status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(status));
        Touch(request.Hwid, request.Ip, now);
        MarkDirty();
        return Ok();
    }

    /// <summary>
    /// Debits the billable heartbeat <paramref name="ordinal"/>, with no write of this license. The
    /// account applies a heartbeat debit only while the license's stored counter is below its ordinal,
    /// and raises the counter in the same write: a debit still in flight when this activation died, or
    /// one whose answer was lost, and the next attempt for the same ordinal are billed once.
    /// </summary>
    private async Task<UsageDebitStatus> BillHeartbeatAsync(long ordinal, long? cap)
    {
        var result = await Account.DebitUsage(new UsageDebit(S.AppId, S.LicenseKey, CreditEntryKind.Heartbeat, cap, IntentId: null, HeartbeatOrdinal: ordinal));
        if (result.Status == UsageDebitStatus.Debited) S.HeartbeatCount = Math.Max(S.HeartbeatCount, ordinal);
        return result.Status;
    }

    private IDeveloperAccountGrain Account => GrainFactory.Reference<IDeveloperAccountGrain>(S.AccountId);

    /// <summary><c>license.validated</c>, committed by the account together with the validate's debit.</summary>
    private OutboxEvent? ValidatedEvent(LicenseValidation request, DateTimeOffset now) => request.RaiseValidatedEvent
        ? OutboxEvent.New(WebhookEvents.LicenseValidated, S.AccountId, S.AppId, now, [.. LicenseFields(), EventField.Text("hwid", request.Hwid), EventField.Text("ip", request.Ip)])
        : null;

    private void Touch(string hwid, string ip, DateTimeOffset now)
    {
        var index = IndexOf(hwid);
        if (index >= 0) S.Hwids[index] = S.Hwids[index] with { LastSeenAt = now, LastIp = ip };
    }

    private int IndexOf(string hwid)
    {
        var hwids = S.Hwids;
        for (var i = 0; i < hwids.Count; i++)
        {
            if (string.Equals(hwids[i].Hwid, hwid, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private Limits.RateDecision Take(Dictionary<string, Limits.TokenBucket> buckets, string appId, Limits.TokenBucketSpec spec)
    {
        if (!buckets.TryGetValue(appId, out var bucket)) buckets[appId] = bucket = new Limits.TokenBucket(time);
        return bucket.TryTake(spec);
    }

    private static LicenseVerdictCode Refusal(UsageDebitStatus status) => status switch
    {
        UsageDebitStatus.NoCredits => LicenseVerdictCode.NoCredits,
        UsageDebitStatus.DailyCapReached => LicenseVerdictCode.DailyCapReached,
        UsageDebitStatus.ReplayDetected => LicenseVerdictCode.ReplayDetected,
        _ => throw new InvalidOperationException($"The account refused a usage debit: {status}."),
    };

    private LicenseVerdict Ok() => new(LicenseVerdictCode.Ok, new LicensePayloadView(
        S.ExpiresAt, S.MaxHwidSlots, S.UnlimitedHwidSlots, S.Hwids.Count, S.Label, S.Variables.ToArray()));

    private LicenseSnapshot Snapshot() => S.ToSnapshot();
}
