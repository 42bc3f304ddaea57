// A vendor's app with the OrleansLicensing SDK: log in with the key from the command line, show the
// end-user message when that fails, keep running on heartbeats until Ctrl+C or until the license ends.
//
//   dotnet run --project samples/ConsoleApp -- <license key> --base-url http://localhost:8080 \
//       --app-id <appId> --app-secret <appSecret> --public-key <publicKey> [--scheme ed25519|hmac-v1|hmac-v2]
//       [--heartbeat-seconds 900] [--mode server|local|none]
//
// Offline (docs/protocol.md §18), no network at all:
//
//   ... -- [<license key>] --app-id <appId> --public-key <key[,next key]> --activation-request request.authforge-request
//       writes an activation request for this machine; send it to the vendor, who mints a license file from it.
//   ... -- --app-id <appId> --public-key <key[,next key]> --license-file <licenseKey>.authforge
//       runs from the license file the vendor sent (verified with the public key(s) only).
//
// Every option can also come from the environment: LICENSING_BASE_URL, LICENSING_APP_ID, ...
using Microsoft.Extensions.Logging;
using OrleansLicensing.Samples.ConsoleApp;
using OrleansLicensing.Sdk;

var arguments = CommandLine.Parse(args);
var licenseFile = arguments.Get("license-file");
var activationRequest = arguments.Get("activation-request");
var offline = licenseFile is not null || activationRequest is not null;
if (arguments.LicenseKey is null && !offline)
{
    Console.Error.WriteLine("usage: licensed-console-app <license key> --base-url <url> --app-id <id> --app-secret <secret> [--public-key <key>] [--scheme ed25519|hmac-v1|hmac-v2] [--heartbeat-seconds <n>] [--mode server|local|none]");
    Console.Error.WriteLine("       licensed-console-app --app-id <id> --public-key <key> --license-file <file.authforge>");
    Console.Error.WriteLine("       licensed-console-app [<license key>] --app-id <id> --public-key <key> --activation-request <out.authforge-request>");
    return 2;
}

var logger = new ConsoleLogger("licensing");
var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

LicensingClient client;
try
{
    client = new LicensingClient(new LicensingClientOptions
    {
        ApiBaseUrl = new Uri(arguments.Get("base-url") ?? "http://localhost:8080"),
        AppId = arguments.Get("app-id") ?? "",
        // An offline-only app talks to no server: the secret is never sent, but the options still want one.
        AppSecret = arguments.Get("app-secret") ?? (offline ? "offline-only" : ""),
        PublicKeys = arguments.Get("public-key") is { } key ? [key] : [],
        SigningScheme = arguments.Get("scheme") switch
        {
            "hmac-v1" => SigningScheme.HmacV1,
            "hmac-v2" => SigningScheme.HmacV2,
            _ => SigningScheme.Ed25519,
        },
        HeartbeatMode = arguments.Get("mode") switch
        {
            "local" => HeartbeatMode.Local,
            "none" => HeartbeatMode.None,
            _ => HeartbeatMode.Server,
        },
        HeartbeatInterval = TimeSpan.FromSeconds(int.Parse(arguments.Get("heartbeat-seconds") ?? "900", System.Globalization.CultureInfo.InvariantCulture)),
        Logger = logger,
        OnFailure = (reason, error) =>
        {
            // The code goes to the log (for the vendor); the user sees a plain sentence.
            logger.LogError("{Reason}: {Code} (HTTP {Status}, request {RequestId})", reason, error.Code, error.HttpStatus, error.RequestId);
            Console.WriteLine(error.UserMessage);
            if (reason == LicensingClient.HeartbeatFailed) finished.TrySetResult(1);
        },
    });
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"configuration: {e.Message}");
    return 2;
}

using (client)
{
    Console.WriteLine($"HWID of this machine: {client.Hwid}");
    if (activationRequest is not null)
    {
        await File.WriteAllTextAsync(activationRequest, client.CreateActivationRequest(arguments.LicenseKey));
        Console.WriteLine($"Activation request written to {activationRequest}. Send it to your vendor; run again with --license-file <the file you get back>.");
        return 0;
    }
    if (licenseFile is not null)
    {
        if (!client.LoginFromFile(licenseFile)) return 1; // OnFailure has shown the message
        var file = client.OfflineLicense!;
        Console.WriteLine($"Licensed offline (file {file.FileId}, signed by key {file.KeyId}), {(file.ExpiresAt is { } fileUntil ? $"until {fileUntil:u}" : "without expiry")}");
        // No heartbeats offline: the session simply ends at the file's expiry.
        if (file.ExpiresAt is { } end)
        {
            _ = Task.Run(async () =>
            {
                while (DateTimeOffset.UtcNow < end) await Task.Delay(TimeSpan.FromMilliseconds(Math.Min((end - DateTimeOffset.UtcNow).TotalMilliseconds + 1, TimeSpan.FromDays(1).TotalMilliseconds)));
                Console.WriteLine(LicensingMessages.ForCode(LicensingErrorCodes.Expired));
                finished.TrySetResult(1);
            });
        }
    }
    else if (!await client.LoginAsync(arguments.LicenseKey!))
    {
        return 1; // OnFailure has shown the message
    }

    Console.WriteLine($"Licensed: {client.LicenseLabel ?? "(no label)"}, session until {client.SessionExpiresAt:u}, license {(client.LicenseExpiresAt is { } until ? $"until {until:u}" : "lifetime")}");
    foreach (var (name, value) in client.LicenseVariables) Console.WriteLine($"  license variable {name} = {value}");
    Console.WriteLine("Running; Ctrl+C (or SIGTERM) to quit.");

    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        finished.TrySetResult(0);
    };
    using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, signal =>
    {
        signal.Cancel = true;
        finished.TrySetResult(0);
    });
    var exitCode = await finished.Task;
    client.Logout();
    Console.WriteLine(exitCode == 0 ? "Bye." : "Stopped: the license is no longer valid.");
    return exitCode;
}
