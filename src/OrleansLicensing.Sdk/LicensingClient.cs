using System.Runtime.InteropServices;
using System.Text.Json;
using OrleansLicensing.Sdk.Offline;
using OrleansLicensing.Sdk.Protocol;

namespace OrleansLicensing.Sdk;

/// <summary>
/// The OrleansLicensing client (docs/protocol.md §17): logs in with a license key, verifies every response
/// (nonce and signature), retries transient failures, keeps the session alive with heartbeats and reports
/// failures through <see cref="LicensingClientOptions.OnFailure"/>. All members are thread-safe.
/// </summary>
/// <example>
/// <code>
/// using var client = new LicensingClient(new LicensingClientOptions
/// {
///     AppId = "…", AppSecret = "…", PublicKeys = ["…"], ApiBaseUrl = new Uri("https://licensing.example.com"),
///     OnFailure = (reason, error) => { logger.LogError("{Reason}: {Code}", reason, error.Code); ShowAndExit(error.UserMessage); },
/// });
/// if (!client.Login(key)) return;
/// </code>
/// </example>
public sealed class LicensingClient : IDisposable, IAsyncDisposable
{
    /// <summary>The <c>OnFailure</c> reason when <see cref="Login(string)"/> fails.</summary>
    public const string LoginFailed = "login_failed";

    /// <summary>The <c>OnFailure</c> reason when a session ends because a heartbeat (or its re-authentication) failed.</summary>
    public const string HeartbeatFailed = "heartbeat_failed";

    private static readonly IReadOnlyDictionary<string, JsonElement> NoVariables = new Dictionary<string, JsonElement>();

    private readonly ClientSettings _settings;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly AuthTransport _transport;
    private readonly RetryPolicy _retry;
    private readonly Lazy<string> _hwid;
    private readonly object _gate = new();

    private SessionState? _session;
    private string? _licenseKey;
    private string? _attemptedKey;
    private long _generation;
    private CancellationTokenSource? _heartbeatStop;
    private Task _heartbeatTask = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Creates a client; throws <see cref="ArgumentException"/> when <paramref name="options"/> are invalid (§17.1).</summary>
    public LicensingClient(LicensingClientOptions options)
        : this(options, null)
    {
    }

    /// <summary>
    /// Creates a client that sends through <paramref name="httpClient"/> (e.g. one with a proxy handler);
    /// the client does not dispose it. Throws <see cref="ArgumentException"/> when <paramref name="options"/> are invalid.
    /// </summary>
    public LicensingClient(LicensingClientOptions options, HttpClient? httpClient)
    {
        _settings = ClientSettings.From(options);
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _transport = new AuthTransport(_http, _settings);
        _retry = new RetryPolicy(_settings.RetryBaseDelay, _settings.RetryMaxDelay, _settings.RetryJitter);
        _hwid = new Lazy<string>(() => _settings.HwidOverride ?? HardwareId.ForThisMachine(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The HWID sent with every request: <see cref="LicensingClientOptions.HwidOverride"/> or the derived one (§17.2), computed once.</summary>
    public string Hwid => _hwid.Value;

    /// <summary>True while a session is held and its expiry has not been reached.</summary>
    public bool IsAuthenticated => Volatile.Read(ref _session) is { } s && _settings.Time.GetUtcNow() < s.ExpiresAt;

    /// <summary>When the current session expires (null without a session).</summary>
    public DateTimeOffset? SessionExpiresAt => Volatile.Read(ref _session)?.ExpiresAt;

    /// <summary>The license's expiry (null for a lifetime license or without a session).</summary>
    public DateTimeOffset? LicenseExpiresAt => Volatile.Read(ref _session)?.LicenseExpiresAt;

    /// <summary>The license's HWID slot count (0 when unlimited).</summary>
    public int? MaxHwidSlots => Volatile.Read(ref _session)?.MaxHwidSlots;

    /// <summary>HWIDs bound to the license.</summary>
    public int? HwidCount => Volatile.Read(ref _session)?.HwidCount;

    /// <summary>The license's label, if any.</summary>
    public string? LicenseLabel => Volatile.Read(ref _session)?.LicenseLabel;

    /// <summary>Whether the license admits any number of devices.</summary>
    public bool? UnlimitedHwidSlots => Volatile.Read(ref _session)?.UnlimitedHwidSlots;

    /// <summary>The app's variables from the latest verified response (empty without a session).</summary>
    public IReadOnlyDictionary<string, JsonElement> AppVariables => Volatile.Read(ref _session)?.AppVariables ?? NoVariables;

    /// <summary>The license's variables from the latest verified response (empty without a session).</summary>
    public IReadOnlyDictionary<string, JsonElement> LicenseVariables => Volatile.Read(ref _session)?.LicenseVariables ?? NoVariables;

    /// <summary>The decoded payload of the latest verified response.</summary>
    public JsonElement? SessionData => Volatile.Read(ref _session)?.PayloadJson;

    /// <summary>The <c>keyId</c> of the key that signed the latest response (Ed25519 apps).</summary>
    public string? KeyId => Volatile.Read(ref _session)?.KeyId;

    /// <summary>The background heartbeat loop of the current session (completed when none runs). For tests.</summary>
    internal Task HeartbeatTask
    {
        get
        {
            lock (_gate) return _heartbeatTask;
        }
    }

    /// <summary>Ends the process when a heartbeat fails without an <c>OnFailure</c> callback. Replaced by tests.</summary>
    internal Action<int> Terminate { get; set; } = Environment.Exit;

    /// <summary>
    /// Validates <paramref name="licenseKey"/> (trimmed; retries per §17.5), stores the session, starts
    /// heartbeats and returns true. On failure calls <c>OnFailure("login_failed", error)</c> on this thread
    /// and returns false; never terminates the process.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    public bool Login(string licenseKey)
    {
        var key = RequireKey(licenseKey);
        var error = Task.Run(() => LoginCoreAsync(key, CancellationToken.None)).GetAwaiter().GetResult();
        return Finish(error);
    }

    /// <summary>Asynchronous <see cref="Login(string)"/>; the callback runs before the returned task completes.</summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> LoginAsync(string licenseKey, CancellationToken cancellationToken = default)
    {
        var key = RequireKey(licenseKey);
        var error = await LoginCoreAsync(key, cancellationToken).ConfigureAwait(false);
        return Finish(error);
    }

    /// <summary>
    /// The same request, retries and verification as <see cref="Login(string)"/>, but stores nothing, starts
    /// nothing and never calls <c>OnFailure</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    public ValidationResult ValidateLicense(string licenseKey)
    {
        var key = RequireKey(licenseKey);
        return Task.Run(() => ValidateLicenseCoreAsync(key, CancellationToken.None)).GetAwaiter().GetResult();
    }

    /// <summary>Asynchronous <see cref="ValidateLicense(string)"/>.</summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ValidationResult> ValidateLicenseAsync(string licenseKey, CancellationToken cancellationToken = default) =>
        ValidateLicenseCoreAsync(RequireKey(licenseKey), cancellationToken);

    /// <summary>
    /// Asks the server to ban this client (§17.9). With a session token (given or held) the post-session form
    /// is sent with the three flags; otherwise the pre-session form with the given or last used license key,
    /// where <paramref name="revokeLicense"/> is forced to false. Local state is not changed.
    /// </summary>
    /// <exception cref="ArgumentException">No session token and no license key are available.</exception>
    /// <exception cref="LicensingException">The server refused or could not be reached (after retries).</exception>
    public SelfBanResult SelfBan(bool revokeLicense = true, bool blacklistHwid = true, bool blacklistIp = true, string? licenseKey = null, string? sessionToken = null) =>
        Task.Run(() => SelfBanAsync(revokeLicense, blacklistHwid, blacklistIp, licenseKey, sessionToken, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="SelfBan(bool, bool, bool, string?, string?)"/>.</summary>
    /// <exception cref="ArgumentException">No session token and no license key are available.</exception>
    /// <exception cref="LicensingException">The server refused or could not be reached (after retries).</exception>
    public async Task<SelfBanResult> SelfBanAsync(bool revokeLicense = true, bool blacklistHwid = true, bool blacklistIp = true, string? licenseKey = null, string? sessionToken = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        // An offline session has no server token: it self-bans in the pre-session form.
        var held = Volatile.Read(ref _session);
        var token = string.IsNullOrWhiteSpace(sessionToken) ? (held is { Offline: null } ? held.Token : null) : sessionToken.Trim();
        Func<string, byte[]> body;
        if (token is not null)
        {
            body = _ => AuthRequests.SelfBanWithSession(_settings, token, Hwid, revokeLicense, blacklistHwid, blacklistIp);
        }
        else
        {
            string? key;
            lock (_gate) key = string.IsNullOrWhiteSpace(licenseKey) ? _licenseKey ?? _attemptedKey : licenseKey.Trim();
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("Self-ban without a session needs a license key.", nameof(licenseKey));
            body = nonce => AuthRequests.SelfBanWithoutSession(_settings, key, Hwid, nonce, blacklistHwid, blacklistIp);
        }

        var result = await ExecuteAsync("selfban", AuthRequests.SelfBanPath, body, (envelope, _, _) => new SelfBanResult(
            Flag(envelope, "revoked"), Flag(envelope, "hwidBlacklisted"), Flag(envelope, "ipBlacklisted")), cancellationToken).ConfigureAwait(false);
        Log.SelfBanned(_settings.Logger, result.Revoked, result.HwidBlacklisted, result.IpBlacklisted);
        return result;
    }

    /// <summary>The offline license file the current session was started from (null for a server session or without one).</summary>
    public OfflineLicense? OfflineLicense => Volatile.Read(ref _session)?.Offline;

    /// <summary>
    /// Verifies an offline license file's text (docs/protocol.md §18.3) for this client's app, trusted public keys,
    /// HWID and clock. Stores nothing and never calls <c>OnFailure</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No public key is configured (HMAC apps must list their Ed25519 key to use offline files).</exception>
    public OfflineLicenseResult VerifyLicenseFile(string fileText)
    {
        ThrowIfDisposed();
        if (_settings.TrustedKeys.Count == 0) throw new InvalidOperationException("Offline license files are verified with the app's Ed25519 public key(s): set PublicKeys.");
        return OfflineLicenseVerifier.Verify(fileText, _settings.AppId, _settings.TrustedKeys, Hwid, _settings.Time.GetUtcNow());
    }

    /// <summary>
    /// Logs in from an offline license file (<c>.authforge</c>) without any network call: the file is read
    /// (UTF-8) and verified as <see cref="VerifyLicenseFile(string)"/>. On success the session lasts until the
    /// file's expiry (no heartbeats; <see cref="OfflineLicense"/> and the license properties come from the
    /// file) and true is returned. On failure — the §18.3 codes, or <c>file_unreadable</c> — it calls
    /// <c>OnFailure("login_failed", error)</c> and returns false.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="InvalidOperationException">No public key is configured.</exception>
    public bool LoginFromFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The license file path must not be empty.", nameof(path));
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            return Finish(new LicensingException(OfflineLicenseErrorCodes.FileUnreadable, innerException: e));
        }
        return LoginFromFileText(text);
    }

    /// <summary>As <see cref="LoginFromFile(string)"/> with the file's text already read (e.g. from an embedded resource).</summary>
    /// <exception cref="InvalidOperationException">No public key is configured.</exception>
    public bool LoginFromFileText(string fileText)
    {
        var result = VerifyLicenseFile(fileText);
        if (!result.Valid)
        {
            Log.OfflineLoginFailed(_settings.Logger, result.Code!);
            return Finish(new LicensingException(result.Code!));
        }

        var license = result.License!;
        var state = new SessionState(
            Token: "", ExpiresAt: license.ExpiresAt ?? DateTimeOffset.MaxValue, Payload: "", Signature: "", KeyId: license.KeyId,
            PayloadJson: license.Payload, AppVariables: license.AppVariables, LicenseVariables: license.LicenseVariables,
            SigKey: null, HmacKey: null, LicenseExpiresAt: license.LicenseExpiresAt, MaxHwidSlots: null,
            HwidCount: license.AnyMachine ? null : license.Hwids.Count, LicenseLabel: license.Label, UnlimitedHwidSlots: license.AnyMachine ? true : null,
            RequestId: null)
        {
            Offline = license,
        };
        lock (_gate)
        {
            ThrowIfDisposed();
            EndSessionLocked();
            _licenseKey = license.LicenseKey;
            _attemptedKey = license.LicenseKey;
            Volatile.Write(ref _session, state);
        }
        Log.LoggedInOffline(_settings.Logger, Log.Tail(license.LicenseKey), license.FileId, license.ExpiresAt);
        return true;
    }

    /// <summary>
    /// An activation request (<c>.authforge-request</c>, §18.4) for this machine: the app id, this client's
    /// <see cref="Hwid"/>, the current time, the machine name, the OS, this SDK and, when given, the license key.
    /// Save it and send it to the vendor, who mints an offline file bound to this machine.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="licenseKey"/> is longer than 64 characters.</exception>
    public string CreateActivationRequest(string? licenseKey = null) =>
        ActivationRequest.Create(
            _settings.AppId,
            Hwid,
            _settings.Time.GetUtcNow(),
            ActivationRequest.Truncate(Environment.MachineName, ActivationRequest.MaxMachineNameLength),
            ActivationRequest.Truncate(RuntimeInformation.OSDescription, ActivationRequest.MaxOsLength),
            ActivationRequest.Truncate(SdkName, ActivationRequest.MaxSdkLength),
            string.IsNullOrWhiteSpace(licenseKey) ? null : licenseKey.Trim());

    /// <summary>The <c>sdk</c> value of activation requests: <c>orleanslicensing-dotnet/&lt;version&gt;</c>.</summary>
    public static string SdkName { get; } = "orleanslicensing-dotnet/" + (typeof(LicensingClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>Local only: stops heartbeats and clears all session state; sends nothing.</summary>
    public void Logout()
    {
        lock (_gate)
        {
            EndSessionLocked();
            _licenseKey = null;
            _attemptedKey = null;
        }
    }

    /// <summary>Logs out and releases the HTTP client the client created (not one passed in).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            EndSessionLocked();
            _licenseKey = null;
            _attemptedKey = null;
        }
        if (_ownsHttp) _http.Dispose();
    }

    /// <summary>As <see cref="Dispose"/>, and waits for a running heartbeat to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        var running = HeartbeatTask;
        Dispose();
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string RequireKey(string licenseKey)
    {
        var key = licenseKey?.Trim();
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("The license key must not be empty.", nameof(licenseKey));
        return key;
    }

    private bool Finish(LicensingException? error)
    {
        if (error is null) return true;
        InvokeOnFailure(LoginFailed, error);
        return false;
    }

    private async Task<LicensingException?> LoginCoreAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        // Remembered for a later pre-session SelfBan(); the running session keeps re-authenticating with its own key.
        lock (_gate) _attemptedKey = key;
        SessionState state;
        try
        {
            state = await ValidateAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (LicensingException e)
        {
            return e;
        }

        lock (_gate)
        {
            ThrowIfDisposed();
            EndSessionLocked();
            _licenseKey = key;
            Volatile.Write(ref _session, state);
            StartHeartbeatsLocked();
        }
        Log.LoggedIn(_settings.Logger, Log.Tail(key), state.ExpiresAt);
        return null;
    }

    private async Task<ValidationResult> ValidateLicenseCoreAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            return ValidationResult.Success(await ValidateAsync(key, cancellationToken).ConfigureAwait(false));
        }
        catch (LicensingException e)
        {
            return ValidationResult.Failure(e);
        }
    }

    private Task<SessionState> ValidateAsync(string key, CancellationToken cancellationToken) =>
        ExecuteAsync("validate", AuthRequests.ValidatePath,
            nonce => AuthRequests.Validate(_settings, key, Hwid, nonce),
            (envelope, meta, nonce) => ResponseVerifier.Verify(envelope, nonce, _settings, _settings.AppSecret, previous: null, meta),
            cancellationToken);

    private Task<SessionState> HeartbeatAsync(SessionState current, CancellationToken cancellationToken) =>
        ExecuteAsync("heartbeat", AuthRequests.HeartbeatPath,
            nonce => AuthRequests.Heartbeat(_settings, current.Token, Hwid, nonce),
            (envelope, meta, nonce) => ResponseVerifier.Verify(envelope, nonce, _settings,
                _settings.Scheme == SigningScheme.HmacV2 ? current.SigKey! : _settings.AppSecret, current, meta),
            cancellationToken);

    /// <summary>
    /// Runs up to 1 + MaxRetries attempts, each with a fresh nonce (§17.3); only transient failures are
    /// retried (§17.5). The last failure escapes with the number of attempts made.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(string operation, string path, Func<string, byte[]> body, Func<JsonElement, ResponseMeta, string, T> accept, CancellationToken cancellationToken)
    {
        var maxAttempts = 1 + _settings.MaxRetries;
        for (var attempt = 1; ; attempt++)
        {
            var nonce = AuthTransport.NewNonce();
            LicensingException failure;
            try
            {
                var (envelope, meta) = await _transport.PostAsync(path, body(nonce), cancellationToken).ConfigureAwait(false);
                return accept(envelope, meta, nonce);
            }
            catch (LicensingException e)
            {
                failure = e.WithAttempts(attempt);
            }
            catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException))
            {
                // A response no check foresaw must not escape as another exception type (and end the
                // heartbeat loop with it): it is an unreadable response, like one that is not JSON (R2).
                failure = new LicensingException(LicensingErrorCodes.InvalidJsonResponse, innerException: e).WithAttempts(attempt);
            }

            var delay = failure.IsTransient && attempt < maxAttempts ? _retry.DelayAfter(attempt, failure.RetryAfter) : null;
            if (delay is null)
            {
                Log.CallFailed(_settings.Logger, operation, failure.Code, failure.HttpStatus, failure.RequestId, attempt, failure.IsTransient);
                throw failure;
            }
            Log.AttemptFailedRetrying(_settings.Logger, operation, attempt, maxAttempts, failure.Code, failure.HttpStatus, failure.RequestId, (long)delay.Value.TotalMilliseconds);
            await Task.Delay(delay.Value, _settings.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void StartHeartbeatsLocked()
    {
        if (_settings.HeartbeatMode == HeartbeatMode.None) return;
        var stop = new CancellationTokenSource();
        _heartbeatStop = stop;
        var generation = _generation;
        _heartbeatTask = Task.Run(() => RunHeartbeatsAsync(generation, stop.Token));
    }

    /// <summary>Stops heartbeats and forgets the session; any result still in flight is discarded by generation.</summary>
    private void EndSessionLocked()
    {
        _generation++;
        Volatile.Write(ref _session, null);
        _heartbeatStop?.Cancel();
        _heartbeatStop = null;
    }

    private async Task RunHeartbeatsAsync(long generation, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_settings.HeartbeatInterval, _settings.Time, stop).ConfigureAwait(false);
                SessionState? current;
                string? key;
                lock (_gate)
                {
                    if (generation != _generation) return;
                    current = _session;
                    key = _licenseKey;
                }
                if (current is null || key is null) return;

                var keepGoing = _settings.HeartbeatMode == HeartbeatMode.Local
                    ? await LocalTickAsync(generation, current, key, stop).ConfigureAwait(false)
                    : await ServerTickAsync(generation, current, key, stop).ConfigureAwait(false);
                if (!keepGoing) return;
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
            // Logout, a new login or dispose (which may also dispose the HTTP client under a request).
        }
    }

    private async Task<bool> ServerTickAsync(long generation, SessionState current, string key, CancellationToken stop)
    {
        try
        {
            var refreshed = await HeartbeatAsync(current, stop).ConfigureAwait(false);
            if (!Replace(generation, refreshed)) return false;
            Log.HeartbeatSucceeded(_settings.Logger, HeartbeatMode.Server, refreshed.ExpiresAt);
            return true;
        }
        catch (LicensingException e)
        {
            if (!IsCurrent(generation))
            {
                Log.HeartbeatDiscarded(_settings.Logger);
                return false;
            }
            if (e.Code == LicensingErrorCodes.SessionExpired) return await ReauthenticateAsync(generation, key, e, stop).ConfigureAwait(false);
            if (e.IsTransient)
            {
                if (_settings.Time.GetUtcNow() >= current.ExpiresAt) return await ReauthenticateAsync(generation, key, e, stop).ConfigureAwait(false);
                Log.HeartbeatKeptSession(_settings.Logger, e.Code, current.ExpiresAt);
                return true;
            }
            EndSession(generation, e);
            return false;
        }
    }

    private async Task<bool> LocalTickAsync(long generation, SessionState current, string key, CancellationToken stop)
    {
        if (!ResponseVerifier.StoredSignatureVerifies(current, _settings))
        {
            EndSession(generation, new LicensingException(LicensingErrorCodes.SignatureMismatch));
            return false;
        }
        if (_settings.Time.GetUtcNow() >= current.ExpiresAt)
        {
            return await ReauthenticateAsync(generation, key, new LicensingException(LicensingErrorCodes.SessionExpired), stop).ConfigureAwait(false);
        }
        Log.HeartbeatSucceeded(_settings.Logger, HeartbeatMode.Local, current.ExpiresAt);
        return true;
    }

    /// <summary>One validate with the stored key (§17.7): success continues silently, failure ends the session.</summary>
    private async Task<bool> ReauthenticateAsync(long generation, string key, LicensingException cause, CancellationToken stop)
    {
        Log.Reauthenticating(_settings.Logger, cause.Code, Log.Tail(key));
        try
        {
            var fresh = await ValidateAsync(key, stop).ConfigureAwait(false);
            return Replace(generation, fresh);
        }
        catch (LicensingException e)
        {
            EndSession(generation, e);
            return false;
        }
    }

    private bool Replace(long generation, SessionState state)
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                Log.HeartbeatDiscarded(_settings.Logger);
                return false;
            }
            Volatile.Write(ref _session, state);
            return true;
        }
    }

    private bool IsCurrent(long generation)
    {
        lock (_gate) return generation == _generation;
    }

    /// <summary>Ends the session after a heartbeat failure and reports it — at most once per session.</summary>
    private void EndSession(long generation, LicensingException error)
    {
        lock (_gate)
        {
            if (generation != _generation) return;
            EndSessionLocked();
        }
        Log.HeartbeatFailed(_settings.Logger, error.Code);
        if (_settings.OnFailure is null)
        {
            Log.Terminating(_settings.Logger, error.Code);
            Terminate(1);
            return;
        }
        InvokeOnFailure(HeartbeatFailed, error);
    }

    private void InvokeOnFailure(string reason, LicensingException error)
    {
        try
        {
            _settings.OnFailure?.Invoke(reason, error);
        }
        catch (Exception e)
        {
            Log.CallbackThrew(_settings.Logger, e, reason);
        }
    }

    private static bool Flag(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
