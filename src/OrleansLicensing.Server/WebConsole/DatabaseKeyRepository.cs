using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Keeps ASP.NET Core's data-protection key ring in <c>licensing_data_protection_keys</c>, so every
/// silo of a cluster protects and unprotects the console's anti-forgery tokens with the same keys.
/// The interface is synchronous; it is called when the key ring is (re)loaded, not per request.
/// </summary>
public sealed class DatabaseKeyRepository(LicensingDatabase database, TimeProvider time) : IXmlRepository
{
    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM licensing_data_protection_keys ORDER BY created_at, name";
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName) =>
        StoreElementAsync(element, friendlyName).GetAwaiter().GetResult(); // the interface is synchronous

    private async Task StoreElementAsync(XElement element, string friendlyName)
    {
        await using var turn = await database.WriteGate.EnterAsync();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        // Two silos creating a key at once each store their own; the key ring holds both.
        command.CommandText = "INSERT INTO licensing_data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING";
        command.AddParameter("name", friendlyName);
        command.AddParameter("xml", element.ToString(SaveOptions.DisableFormatting));
        command.AddParameter("now", time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Encrypts data-protection keys under the master key (AES-256-GCM, <see cref="SecretProtector"/>) before they are stored.</summary>
public sealed class MasterKeyXmlEncryptor(SecretProtector protector) : IXmlEncryptor
{
    internal const string Purpose = "data-protection-key";

    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var sealedKey = protector.Protect(Purpose, Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        return new EncryptedXmlInfo(new XElement("masterKeyEncrypted", Convert.ToBase64String(sealedKey)), typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Decrypts what <see cref="MasterKeyXmlEncryptor"/> stored (created by the data-protection system with the service provider).</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        var protector = (SecretProtector)services.GetService(typeof(SecretProtector))!;
        var plaintext = protector.Unprotect(MasterKeyXmlEncryptor.Purpose, Convert.FromBase64String(encryptedElement.Value));
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
