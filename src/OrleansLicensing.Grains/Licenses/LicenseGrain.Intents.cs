using OrleansLicensing.Accounts;
using OrleansLicensing.Events;

namespace OrleansLicensing.Licenses;

/// <summary>
/// Intents: how a binding (or an offline file) and its debit commit together across this grain and the
/// account, and how an intent left undecided by a crash is resolved before anything else runs.
/// </summary>
public sealed partial class LicenseGrain
{
    /// <summary>
    /// Stores the intent with its effect reserved (the slot, a pending offline file), then asks the
    /// account to debit under its id and settles it in memory by the answer. A refusal is stored at
    /// once; if that write fails, the next call resolves the intent as aborted.
    /// </summary>
    private async Task<UsageDebitStatus> CommitIntentAsync(LicenseIntent intent, CreditEntryKind kind, long? cap, OutboxEvent? debitEvent, string? nonce)
    {
        S.Intents.Add(intent);
        // The stored intent only reserves the slot; the listing shows the binding once it is decided.
        // With lazy changes pending the write projects them as every other write does.
        S.ListingUnchanged = !_dirty;
        try { await WriteAsync(); }
        finally { S.ListingUnchanged = false; }

        UsageDebitResult result;
        try
        {
            result = await Account.DebitUsage(new UsageDebit(S.AppId, S.LicenseKey, kind, cap, intent.IntentId, debitEvent, nonce));
        }
        catch
        {
            // Outcome unknown (timeout, account failure): the stored intent is decided before the next call.
            _needsResolution = true;
            throw;
        }

        var debited = result.Status == UsageDebitStatus.Debited;
        Settle(intent, debited);
        if (!debited)
        {
            try { await WriteAsync(); }
            catch (Exception error) { LogFlushFailed(error, S.LicenseKey); }
        }
        return result.Status;
    }

    /// <summary>Drops a decided intent from memory: a debited bind binds its HWID, an aborted heartbeat is not counted.</summary>
    private void Settle(LicenseIntent intent, bool debited)
    {
        S.Intents.Remove(intent);
        if (intent.Kind == LicenseIntentKind.IssueOfflineFile) SettleOfflineFile(intent, debited);
        if (debited && intent.Kind == LicenseIntentKind.Bind) Bind(intent);
        if (!debited && intent.Kind == LicenseIntentKind.BillHeartbeat) S.HeartbeatCount--;
    }

    /// <summary>Decides intents left by a crash or an unknown debit outcome, before anything else runs.</summary>
    private async Task ResolveIntentsAsync()
    {
        if (!_needsResolution) return;
        foreach (var intent in S.Intents.ToList())
        {
            var outcome = await Account.ResolveIntent(intent.IntentId);
            Settle(intent, outcome == IntentOutcome.Debited);
            _forgettable.Add(intent.IntentId);
            LogIntentResolved(S.LicenseKey, intent.IntentId, intent.Kind, outcome);
        }
        await WriteAsync();
        _needsResolution = false;
    }

    /// <summary>Binds (or records) the intent's HWID as of the intent's time.</summary>
    private void Bind(LicenseIntent intent)
    {
        var now = intent.At;
        var hwid = intent.Hwid!;
        if (IndexOf(hwid) >= 0) return;
        if (S.UnlimitedHwidSlots && S.Hwids.Count >= MaxRecordedHwids)
        {
            var oldest = 0;
            for (var i = 1; i < S.Hwids.Count; i++)
            {
                if (S.Hwids[i].LastSeenAt < S.Hwids[oldest].LastSeenAt) oldest = i;
            }
            S.Hwids.RemoveAt(oldest);
        }
        S.Hwids.Add(new HwidBinding(hwid, now, now, intent.Ip));
        Raise(WebhookEvents.LicenseHwidBound, now, EventField.Text("hwid", hwid));
        if (!S.EverBound) Raise(WebhookEvents.LicenseActivated, now, EventField.Text("reason", "first_hwid"), EventField.Text("hwid", hwid));
        S.EverBound = true;
    }

    private static string NewIntentId() => "int_" + Guid.NewGuid().ToString("N");
}
