using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Storage;
using OrleansLicensing.Events;
using OrleansLicensing.Licenses;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Grain-state format that lets the database keep rows in step with a state in the same write.
/// A state that implements <see cref="IProjectedState"/> and has something to project is stored as
/// <c>"OLP1"</c>, the length of a JSON projection as 10 ASCII digits, the projection, then the
/// state in Orleans' own binary format; every other state is stored in the plain binary format.
/// Triggers on <c>licensing_grain_state</c> (scripts/sql/*/0011_projections.sql) read the
/// projection and apply it: outbox events into <c>licensing_events</c>, a license's listing row
/// into <c>licensing_licenses</c>/<c>licensing_license_hwids</c>.
/// </summary>
public sealed class ProjectingStorageSerializer(IGrainStorageSerializer inner) : IGrainStorageSerializer
{
    private static readonly byte[] Magic = "OLP1"u8.ToArray();
    private const int LengthDigits = 10;
    private const int HeaderLength = 4 + LengthDigits;

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input)
    {
        var state = inner.Serialize(input);
        if (input is not IProjectedState projected || projected.Projection() is not { } projection) return state;

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            WriteProjection(writer, projection);
        }
        var stateBytes = state.ToMemory().Span;
        var bytes = new byte[HeaderLength + json.WrittenCount + stateBytes.Length];
        Magic.CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(json.WrittenCount.ToString("D10", CultureInfo.InvariantCulture), bytes.AsSpan(4, LengthDigits));
        json.WrittenSpan.CopyTo(bytes.AsSpan(HeaderLength));
        stateBytes.CopyTo(bytes.AsSpan(HeaderLength + json.WrittenCount));
        return BinaryData.FromBytes(bytes);
    }

    /// <inheritdoc />
    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        if (bytes.Length < HeaderLength || !bytes.Span[..4].SequenceEqual(Magic)) return inner.Deserialize<T>(input);
        var length = int.Parse(Encoding.ASCII.GetString(bytes.Span.Slice(4, LengthDigits)), NumberStyles.None, CultureInfo.InvariantCulture);
        return inner.Deserialize<T>(new BinaryData(bytes[(HeaderLength + length)..]));
    }

    private static void WriteProjection(Utf8JsonWriter writer, StateProjection projection)
    {
        writer.WriteStartObject();
        if (projection.License is { } row)
        {
            var license = row.License;
            writer.WriteStartObject("license");
            writer.WriteString("key", license.LicenseKey);
            writer.WriteString("appId", license.AppId);
            writer.WriteString("accountId", license.AccountId);
            writer.WriteNumber("createdAt", license.CreatedAt.ToUnixTimeMilliseconds());
            writer.WriteBoolean("revoked", license.Status == LicenseStatus.Revoked);
            if (license.ExpiresAt is { } expiresAt) writer.WriteNumber("expiresAt", expiresAt.ToUnixTimeMilliseconds());
            else writer.WriteNull("expiresAt");
            writer.WriteString("label", IndexText.Clean(license.Label));
            writer.WriteBoolean("deleted", row.Deleted);
            writer.WriteBoolean("expiryNotified", row.ExpiryNotified);
            writer.WriteStartArray("hwids");
            foreach (var binding in license.Hwids) writer.WriteStringValue(IndexText.Clean(binding.Hwid));
            writer.WriteEndArray();
            writer.WriteString("doc", LicenseDocument.Serialize(license));
            writer.WriteEndObject();
        }
        writer.WriteStartArray("events");
        foreach (var raised in projection.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("id", raised.EventId);
            writer.WriteString("type", raised.Type);
            writer.WriteString("accountId", raised.AccountId);
            writer.WriteString("appId", raised.AppId);
            writer.WriteNumber("at", raised.At.ToUnixTimeMilliseconds());
            writer.WriteString("data", EventData(raised.Data));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (projection.Nonces is { } nonces)
        {
            writer.WriteStartArray("nonces");
            foreach (var recorded in nonces)
            {
                writer.WriteStartObject();
                writer.WriteString("a", recorded.AppId);
                writer.WriteString("n", recorded.Nonce);
                writer.WriteNumber("t", recorded.At.ToUnixTimeMilliseconds());
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        if (projection.HeartbeatCounts is { } counts)
        {
            writer.WriteStartObject("heartbeats");
            foreach (var (licenseKey, count) in counts) writer.WriteNumber(licenseKey, count);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>The webhook body's <c>data</c> object as JSON text.</summary>
    private static string EventData(IReadOnlyList<EventField> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                if (field.Value is null)
                {
                    writer.WriteNull(field.Name);
                    continue;
                }
                switch (field.Kind)
                {
                    case EventFieldKind.Number:
                        writer.WriteNumber(field.Name, long.Parse(field.Value, CultureInfo.InvariantCulture));
                        break;
                    case EventFieldKind.Boolean:
                        writer.WriteBoolean(field.Name, field.Value == "true");
                        break;
                    case EventFieldKind.TextList:
                        writer.WritePropertyName(field.Name);
                        writer.WriteRawValue(field.Value);
                        break;
                    case EventFieldKind.Time:
                        var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(field.Value, CultureInfo.InvariantCulture));
                        writer.WriteString(field.Name, Http.UtcTimestampConverter.Format(at));
                        break;
                    default:
                        writer.WriteString(field.Name, field.Value);
                        break;
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>
/// The stored copy of a license in its listing row (<c>licensing_licenses.doc</c>): written by the
/// storage serializer, read by <c>GET /v1/licenses</c>. Internal format, not the API's.
/// </summary>
public static class LicenseDocument
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(LicenseSnapshot license) => JsonSerializer.Serialize(license, Options);

    public static LicenseSnapshot Deserialize(string document) =>
        JsonSerializer.Deserialize<LicenseSnapshot>(document, Options) ?? throw new InvalidDataException("Empty license document.");
}
