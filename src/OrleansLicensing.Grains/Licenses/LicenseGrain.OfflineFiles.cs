using OrleansLicensing.Accounts;
using OrleansLicensing.Events;

namespace OrleansLicensing.Licenses;

/// <summary>
/// Offline license files (docs/developer-api.md §4.3a). Issuing one is a binding validate for several HWIDs
/// at once: the file and its slots are reserved with an intent, the account's debit (which also commits
/// the <c>license.offline_file_issued</c> event) is the commit point, and a crash in between is decided
/// by <see cref="ResolveIntentsAsync"/> like any other intent.
/// </summary>
public sealed partial class LicenseGrain
{
    public async Task<OfflineFileIssueResult> IssueOfflineFile(OfflineFileIssue issue)
    {
        ThrowIfBroken();
        await ResolveIntentsAsync();
        if (!Exists || S.AppId != issue.AppId) return new OfflineFileIssueResult(OfflineFileIssueStatus.LicenseNotFound);

        var file = issue.File;
        if (file.RequestKey is { } requestKey && S.OfflineFiles.Find(f => f.RequestKey == requestKey) is { } earlier)
        {
            return new OfflineFileIssueResult(OfflineFileIssueStatus.Replayed, earlier);
        }

        var now = time.GetUtcNow();
        if (S.Status == LicenseStatus.Revoked) return new OfflineFileIssueResult(OfflineFileIssueStatus.Revoked);
        if (IsExpired(now)) return new OfflineFileIssueResult(OfflineFileIssueStatus.Expired);
        var terms = issue.Terms;
        if (terms.LicenseExpiresAt != S.ExpiresAt || terms.Label != S.Label || terms.UnlimitedHwidSlots != S.UnlimitedHwidSlots
            || !terms.Variables.SequenceEqual(S.Variables))
        {
            return new OfflineFileIssueResult(OfflineFileIssueStatus.TermsChanged);
        }
        if (S.OfflineFiles.Count >= OfflineFileLimits.MaxFilesPerLicense) return new OfflineFileIssueResult(OfflineFileIssueStatus.TooManyFiles);

        // Slots as a validate counts them (§11.4): an HWID already bound takes none.
        var unbound = file.Mode == OfflineFileMode.Bound ? file.Hwids.Where(h => IndexOf(h) < 0).Distinct(StringComparer.Ordinal).Count() : 0;
        if (unbound > 0 && !S.UnlimitedHwidSlots && S.Hwids.Count + unbound > S.MaxHwidSlots) return new OfflineFileIssueResult(OfflineFileIssueStatus.SlotsFull, BoundHwids: S.Hwids.Count, MaxHwidSlots: S.MaxHwidSlots);

        var intent = new LicenseIntent(NewIntentId(), LicenseIntentKind.IssueOfflineFile, null, null, now, file.FileId);
        S.PendingOfflineFiles.Add(file);
        var issued = OutboxEvent.New(WebhookEvents.LicenseOfflineFileIssued, S.AccountId, S.AppId, now,
            EventField.Text("licenseKey", S.LicenseKey),
            EventField.Text("appId", S.AppId),
            EventField.Text("fileId", file.FileId),
            EventField.Text("mode", file.Mode == OfflineFileMode.Any ? "any" : "bound"),
            EventField.Texts("hwids", file.Hwids),
            EventField.Time("expiresAt", file.ExpiresAt));
        // A failed intent write re-reads the state (the pending file is gone); an unknown debit outcome is resolved by the next call.
        var status = await CommitIntentAsync(intent, CreditEntryKind.OfflineFile, issue.DailyCreditCap, issued, null);
        switch (status)
        {
            case UsageDebitStatus.Debited:
                _forgettable.Add(intent.IntentId);
                await WriteAsync();
                return new OfflineFileIssueResult(OfflineFileIssueStatus.Issued, file);
            case UsageDebitStatus.NoCredits:
                return new OfflineFileIssueResult(OfflineFileIssueStatus.NoCredits);
            case UsageDebitStatus.DailyCapReached:
                return new OfflineFileIssueResult(OfflineFileIssueStatus.DailyCapReached);
            default:
                throw new InvalidOperationException($"The account refused an offline-file debit: {status}.");
        }
    }

    public Task<IReadOnlyList<OfflineFile>?> GetOfflineFiles() =>
        Task.FromResult<IReadOnlyList<OfflineFile>?>(Exists && !_broken ? S.OfflineFiles.ToArray() : null);

    /// <summary>A decided offline-file intent: debited, the file is issued and its HWIDs bound as of the intent's time; aborted, it is dropped.</summary>
    private void SettleOfflineFile(LicenseIntent intent, bool debited)
    {
        var index = S.PendingOfflineFiles.FindIndex(f => f.FileId == intent.FileId);
        if (index < 0) return;
        var file = S.PendingOfflineFiles[index];
        S.PendingOfflineFiles.RemoveAt(index);
        if (!debited) return;
        S.OfflineFiles.Add(file);
        if (file.Mode != OfflineFileMode.Bound) return;
        foreach (var hwid in file.Hwids) Bind(intent with { Hwid = hwid });
    }
}
