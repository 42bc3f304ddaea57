using System.Security.Cryptography;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The secrets the server needs, from configuration or, when unset, generated once into the data
/// directory (file mode 0600) and reused on every later start.
/// </summary>
public sealed class GeneratedSecrets
{
    private const string OperatorTokenFile = "operator-token";
    private const string MasterKeyFile = "master.key";
    private const string SessionTokenSecretFile = "session-token.secret";

    private GeneratedSecrets(string operatorToken, byte[] masterKey, IReadOnlyList<string> sessionTokenSecrets)
    {
        OperatorToken = operatorToken;
        MasterKey = masterKey;
        SessionTokenSecrets = sessionTokenSecrets;
    }

    /// <summary>The bearer token of <c>/admin/v1</c>.</summary>
    public string OperatorToken { get; }

    /// <summary>32-byte key that encrypts secrets at rest.</summary>
    public byte[] MasterKey { get; }

    /// <summary>Session-token MAC secrets: the first signs, all verify.</summary>
    public IReadOnlyList<string> SessionTokenSecrets { get; }

    /// <summary>Set when this start generated the operator token (it is logged once, then).</summary>
    public string? NewlyGeneratedOperatorTokenPath { get; private init; }

    /// <summary>Creates the data directory if needed and loads or generates each secret.</summary>
    public static GeneratedSecrets LoadOrCreate(LicensingSettings settings)
    {
        var directory = settings.DataDirectory;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new LicensingConfigurationException($"Licensing:DataDirectory = '{directory}' cannot be created: {error.Message}");
        }

        string? generatedTokenPath = null;
        var token = settings.Licensing.OperatorToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            (token, var created) = ReadOrCreate(directory, OperatorTokenFile, () => "op_" + OrleansLicensing.Security.Base62.Random(40));
            if (created) generatedTokenPath = Path.Combine(directory, OperatorTokenFile);
        }

        var masterKeyText = settings.Licensing.MasterKey;
        if (string.IsNullOrWhiteSpace(masterKeyText))
        {
            (masterKeyText, _) = ReadOrCreate(directory, MasterKeyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
        byte[] masterKey;
        try
        {
            masterKey = Convert.FromBase64String(masterKeyText);
        }
        catch (FormatException)
        {
            masterKey = [];
        }
        if (masterKey.Length != 32)
        {
            throw new LicensingConfigurationException($"{Path.Combine(directory, MasterKeyFile)} does not hold base64 of 32 bytes; restore it from a backup (secrets encrypted with it cannot be read otherwise)");
        }

        List<string> sessionSecrets = settings.Licensing.Auth.SessionTokenSecrets;
        if (sessionSecrets.Count == 0)
        {
            var (secret, _) = ReadOrCreate(directory, SessionTokenSecretFile, () => Base64Url(RandomNumberGenerator.GetBytes(32)));
            sessionSecrets = [secret];
        }

        return new GeneratedSecrets(token, masterKey, sessionSecrets) { NewlyGeneratedOperatorTokenPath = generatedTokenPath };
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (string Value, bool Created) ReadOrCreate(string directory, string fileName, Func<string> generate)
    {
        var path = Path.Combine(directory, fileName);
        try
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllText(path).Trim();
                if (existing.Length == 0) throw new LicensingConfigurationException($"{path} is empty; delete it to generate a new one or restore it from a backup");
                return (existing, false);
            }
            var value = generate();
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var stream = new FileStream(path, options);
                using var writer = new StreamWriter(stream);
                writer.Write(value);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
                return (File.ReadAllText(path).Trim(), false);
            }
            return (value, true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new LicensingConfigurationException($"cannot read or write {path}: {error.Message}");
        }
    }
}
