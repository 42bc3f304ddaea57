using OrleansLicensing.Accounts;
using OrleansLicensing.Licenses.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses;

[Collection(LicenseCluster.Name)]
public sealed class LicenseGrainTests(SqliteGrainCluster cluster) : LicenseSpec(cluster)
{
    [Fact]
    public async Task Concurrent_validates_from_distinct_hwids_bind_exactly_the_slots()
    {
        var account = await NewAccountId(credits: 1_000);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 3);

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => license.Validate(ValidateFrom(app, $"hwid-{i}"))));

        var bound = verdicts.Count(v => v.Code == LicenseVerdictCode.Ok);
        Assert.Equal(3, bound);
        Assert.Equal(57, verdicts.Count(v => v.Code == LicenseVerdictCode.HwidMismatch));
        var snapshot = (await license.Get())!;
        Assert.Equal(3, snapshot.Hwids.Count);
        Assert.Equal(1_000 - 3, await Balance(account));

        // A bound HWID always keeps validating, and each success debits exactly one more credit.
        foreach (var hwid in snapshot.Hwids.Select(h => h.Hwid))
        {
            Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, hwid))).Code);
        }
        Assert.Equal(1_000 - 6, await Balance(account));
    }

    [Fact]
    public async Task Concurrent_validates_across_licenses_debit_exactly_the_successes_and_never_go_below_zero()
    {
        var account = await NewAccountId(credits: 150);
        var app = await NewApp(account);
        var licenses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => NewLicense(app, account, slots: 16)));

        var verdicts = await Task.WhenAll(licenses.SelectMany((license, l) =>
            Enumerable.Range(0, 20).Select(i => license.Validate(ValidateFrom(app, $"hwid-{l}-{i % 4}")))));

        var successes = verdicts.Count(v => v.Code == LicenseVerdictCode.Ok);
        Assert.Equal(150, successes);
        Assert.All(verdicts, v => Assert.Contains(v.Code, new[] { LicenseVerdictCode.Ok, LicenseVerdictCode.NoCredits }));
        Assert.Equal(0, await Balance(account));
        // Only validates that succeeded bound anything: no HWID without its credit.
        var hwids = (await Task.WhenAll(licenses.Select(l => l.Get()))).Sum(s => s!.Hwids.Count);
        Assert.True(hwids <= successes);
    }

    [Fact]
    public async Task A_validate_refused_for_credits_binds_nothing()
    {
        var account = await NewAccountId(credits: 0);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 2);

        var verdict = await license.Validate(ValidateFrom(app, "hwid-a"));

        Assert.Equal(LicenseVerdictCode.NoCredits, verdict.Code);
        Assert.Empty((await license.Get())!.Hwids);
        Assert.Equal(0, await Balance(account));
    }

    [Fact]
    public async Task Daily_cap_counts_the_apps_debits_of_the_utc_day()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 16);

        var first = await license.Validate(ValidateFrom(app, "h1", cap: 2));
        var second = await license.Validate(ValidateFrom(app, "h2", cap: 2));
        var third = await license.Validate(ValidateFrom(app, "h3", cap: 2));

        Assert.Equal((LicenseVerdictCode.Ok, LicenseVerdictCode.Ok, LicenseVerdictCode.DailyCapReached), (first.Code, second.Code, third.Code));
        Assert.Equal(98, await Balance(account));
        Assert.Equal(2, (await license.Get())!.Hwids.Count);
        Cluster.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h3", cap: 2))).Code);
    }

    [Fact]
    public async Task Every_nth_heartbeat_is_billed_and_a_refused_one_is_not_counted()
    {
        var account = await NewAccountId(credits: 2);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code); // balance 1

        var codes = new List<LicenseVerdictCode>();
        for (var i = 0; i < 6; i++) codes.Add((await license.Heartbeat(HeartbeatFrom(app, "h", every: 3))).Code);

        // Heartbeat 3 is billed (balance 1 → 0); heartbeat 6 is billable and refused; it is billable again next time.
        Assert.Equal([LicenseVerdictCode.Ok, LicenseVerdictCode.Ok, LicenseVerdictCode.Ok, LicenseVerdictCode.Ok, LicenseVerdictCode.Ok, LicenseVerdictCode.NoCredits], codes);
        Assert.Equal(0, await Balance(account));
        Assert.Equal(5, (await license.Get())!.HeartbeatCount);
        Assert.Equal(LicenseVerdictCode.NoCredits, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 3))).Code);
        await Account(account).ChangeCredits(new Accounts.CreditChange(Guid.NewGuid().ToString(), 1, Accounts.CreditEntryKind.Grant));
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 3))).Code);
        Assert.Equal(0, await Balance(account));
        Assert.Equal(6, (await license.Get())!.HeartbeatCount);
    }

    [Fact]
    public async Task A_billable_heartbeat_whose_debit_already_reached_the_account_is_not_billed_again()
    {
        var account = await NewAccountId(credits: 10);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code); // balance 9
        var key = (await license.Get())!.LicenseKey;
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 2))).Code);

        // The debit of heartbeat 2, as sent by an activation that died before it heard the answer.
        var lost = await Account(account).DebitUsage(new UsageDebit(app, key, CreditEntryKind.Heartbeat, null, IntentId: null, HeartbeatOrdinal: 2));
        Assert.Equal(UsageDebitStatus.Debited, lost.Status);
        Assert.Equal(8, await Balance(account));

        Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 2))).Code);
        Assert.Equal(8, await Balance(account)); // one credit for heartbeat 2, not two
        Assert.Equal(2, (await license.Get())!.HeartbeatCount);
    }

    [Fact]
    public async Task A_failed_license_write_does_not_take_back_heartbeats_already_counted()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 2);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code); // balance 99
        // Seven free heartbeats: counted by the counter row; the license's own state is written lazily.
        for (var i = 0; i < 7; i++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 10))).Code);

        // A license write fails (the database refuses every update for a moment) and the license re-reads its state.
        await Cluster.ExecuteSqlAsync("CREATE TRIGGER test_refuse_state_updates BEFORE UPDATE ON licensing_grain_state BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => license.Validate(ValidateFrom(app, "h2")));
        }
        finally
        {
            await Cluster.ExecuteSqlAsync("DROP TRIGGER test_refuse_state_updates");
        }

        // Heartbeats 8, 9 and 10: the 10th is billed, once.
        for (var i = 0; i < 3; i++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 10))).Code);
        Assert.Equal(10, (await license.Get())!.HeartbeatCount);
        Assert.Equal(98, await Balance(account));
    }

    [Fact]
    public async Task An_event_committed_before_a_reactivation_is_not_committed_again_by_the_next_write()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        async Task<long> Events(string type) => Convert.ToInt64(await Cluster.ExecuteSqlAsync(
            "SELECT COUNT(*) FROM licensing_events WHERE account_id = @a AND type = @t", ("a", account), ("t", type)));
        Assert.Equal(1, await Events("license.created"));

        // The event's row ages out (webhook retention), the license's activation goes, and it writes again.
        await Cluster.ExecuteSqlAsync("DELETE FROM licensing_events WHERE account_id = @a", ("a", account));
        await Cluster.Cluster.DeactivateAsync(license);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code);

        Assert.Equal(0, await Events("license.created"));
        Assert.Equal(1, await Events("license.hwid_bound"));
    }

    [Fact]
    public async Task A_validate_the_edge_repeats_after_a_silo_loss_takes_one_license_token()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        var oncePerMinute = new Limits.TokenBucketSpec(1, 1.0 / 60);
        var request = ValidateFrom(app, "h") with { AccountId = account, Nonce = Guid.NewGuid().ToString("N"), LicenseBucket = oncePerMinute };

        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(request)).Code);
        // The edge sends the same request again (its answer was lost with a silo): no second token,
        // so the repeat reaches the replay step, which knows the nonce.
        Assert.Equal(LicenseVerdictCode.ReplayDetected, (await license.Validate(request with { Repeat = true })).Code);
        // A client sending the same request again takes a token (V8 comes before V9): none is left.
        Assert.Equal(LicenseVerdictCode.RateLimited, (await license.Validate(request)).Code);
        Assert.Equal(99, await Balance(account));
    }

    [Fact]
    public async Task Management_changes_take_effect_on_the_next_call()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code);

        await license.Change(new LicenseChange(LicenseAction.Revoke));
        Assert.Equal(LicenseVerdictCode.Revoked, (await license.Validate(ValidateFrom(app, "h"))).Code);
        Assert.Equal(LicenseVerdictCode.Revoked, (await license.Heartbeat(HeartbeatFrom(app, "h"))).Code);

        await license.Change(new LicenseChange(LicenseAction.Activate));
        await license.Change(new LicenseChange(LicenseAction.Extend, ExpiresAt: Cluster.Clock.GetUtcNow()));
        Assert.Equal(LicenseVerdictCode.Expired, (await license.Validate(ValidateFrom(app, "h"))).Code);

        await license.Change(new LicenseChange(LicenseAction.Extend, ExpiresAt: null));
        await license.Change(new LicenseChange(LicenseAction.ResetHwid));
        Assert.Equal(LicenseVerdictCode.SessionExpired, (await license.Heartbeat(HeartbeatFrom(app, "h"))).Code);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "other"))).Code);

        Assert.True(await license.Delete());
        Assert.Equal(LicenseVerdictCode.InvalidKey, (await license.Validate(ValidateFrom(app, "other"))).Code);
        Assert.Equal(LicenseVerdictCode.SessionExpired, (await license.Heartbeat(HeartbeatFrom(app, "other"))).Code);
    }

    [Fact]
    public async Task A_license_of_another_app_is_an_invalid_key()
    {
        var account = await NewAccountId(credits: 10);
        var app = await NewApp(account);
        var other = await NewApp(account);
        var license = await NewLicense(app, account);

        Assert.Equal(LicenseVerdictCode.InvalidKey, (await license.Validate(ValidateFrom(other, "h"))).Code);
        Assert.Equal(10, await Balance(account));
    }

    [Fact]
    public async Task Unlimited_license_records_every_hwid()
    {
        var account = await NewAccountId(credits: 10);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, unlimited: true);

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => license.Validate(ValidateFrom(app, $"h{i}"))));

        Assert.All(verdicts, v => Assert.Equal(LicenseVerdictCode.Ok, v.Code));
        Assert.Equal(5, (await license.Get())!.Hwids.Count);
        Assert.Equal(5, await Balance(account));
    }

    [Fact]
    public async Task Keys_are_never_reused()
    {
        var account = await NewAccountId(credits: 0);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        var key = (await license.Get())!.LicenseKey;
        await license.Delete();

        Assert.Null(await License(key).Create(new CreateLicense(app, account, null, 1, false, null, Variables.None)));
    }

    [Fact]
    public async Task Validates_of_a_bound_hwid_and_heartbeats_write_nothing_of_their_own()
    {
        var account = await NewAccountId(credits: 1_000);
        var app = await NewApp(account);
        var license = await NewLicense(app, account);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code);
        var key = (await license.Get())!.LicenseKey;
        var before = await LicenseWrites(key);

        for (var i = 0; i < 20; i++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code);
        for (var i = 0; i < 9; i++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, "h", every: 1_000))).Code);

        Assert.Equal(before, await LicenseWrites(key));
        Assert.Equal(1_000 - 21, await Balance(account));
        // Each free heartbeat was counted durably before it was acknowledged, in the counter row.
        Assert.Equal(9L, Convert.ToInt64(await Cluster.ExecuteSqlAsync(
            "SELECT count FROM licensing_heartbeat_counts WHERE license_key = $key", ("$key", key))));
    }

    private async Task<long> LicenseWrites(string key) => Convert.ToInt64(await Cluster.ExecuteSqlAsync(
        "SELECT version FROM licensing_grain_state WHERE grain_type_string = 'license' AND grain_id_extension_string = $id",
        ("$id", ILicenseGrain.KeyFor(key))));
}
