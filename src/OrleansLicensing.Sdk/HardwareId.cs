using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansLicensing.Sdk;

/// <summary>
/// The default hardware id (docs/protocol.md §17.2): lowercase hex SHA-256 of <c>mac:&lt;m&gt;|cpu:&lt;c&gt;|disk:&lt;d&gt;</c>,
/// derived exactly as the official C# SDK does, so a vendor switching SDKs keeps its HWID bindings.
/// </summary>
public static partial class HardwareId
{
    /// <summary>The MAC part when no interface has a physical address.</summary>
    public const string MacUnavailable = "mac-unavailable";

    /// <summary>The disk part on systems without a known serial-number command.</summary>
    public const string DiskUnavailable = "disk-unavailable";

    /// <summary>The disk part when the command cannot be started or runs longer than 2 s.</summary>
    public const string DiskCommandUnavailable = "unavailable";

    /// <summary>The disk part when the command printed nothing.</summary>
    public const string DiskOutputEmpty = "empty";

    private static readonly TimeSpan DiskCommandTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The HWID of this machine (reads network interfaces, processor data and runs the disk command).</summary>
    public static string ForThisMachine() => Derive(MacPart(), CpuPart(Environment.ProcessorCount, RuntimeInformation.ProcessArchitecture), DiskPart());

    /// <summary>The HWID for given parts: lowercase hex SHA-256 of UTF-8 <c>mac:{mac}|cpu:{cpu}|disk:{disk}</c>.</summary>
    public static string Derive(string mac, string cpu, string disk) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"mac:{mac}|cpu:{cpu}|disk:{disk}"))).ToLowerInvariant();

    /// <summary>The CPU part: <c>&lt;logical processors&gt;-&lt;process architecture&gt;</c>, e.g. <c>8-X64</c>.</summary>
    public static string CpuPart(int logicalProcessors, Architecture architecture) => $"{logicalProcessors}-{architecture}";

    /// <summary>The MAC part: the first interface (enumeration order) with a non-empty physical address, as lowercase hex without separators.</summary>
    public static string MacPart()
    {
        try
        {
            return MacPart(NetworkInterface.GetAllNetworkInterfaces().Select(n => n.GetPhysicalAddress().GetAddressBytes()));
        }
        catch (Exception e) when (e is NetworkInformationException or PlatformNotSupportedException or InvalidOperationException)
        {
            return MacUnavailable;
        }
    }

    /// <summary>The MAC part for physical addresses listed in enumeration order.</summary>
    public static string MacPart(IEnumerable<byte[]> physicalAddresses)
    {
        foreach (var address in physicalAddresses)
        {
            if (address is { Length: > 0 }) return Convert.ToHexString(address).ToLowerInvariant();
        }
        return MacUnavailable;
    }

    /// <summary>The disk part for this operating system (runs the platform's serial-number command).</summary>
    public static string DiskPart()
    {
        string file, arguments;
        if (OperatingSystem.IsWindows()) (file, arguments) = ("wmic", "diskdrive get serialnumber");
        else if (OperatingSystem.IsLinux()) (file, arguments) = ("lsblk", "-ndo SERIAL");
        else if (OperatingSystem.IsMacOS()) (file, arguments) = ("system_profiler", "SPStorageDataType");
        else return DiskUnavailable;
        return CollapseDiskOutput(RunForStandardOutput(file, arguments));
    }

    /// <summary>
    /// Normalises the disk command's standard output (null = could not start or timed out): runs of white
    /// space become one space, the result is trimmed and cut to 256 characters; empty becomes <c>empty</c>.
    /// </summary>
    public static string CollapseDiskOutput(string? output)
    {
        if (output is null) return DiskCommandUnavailable;
        var collapsed = WhiteSpace().Replace(output, " ").Trim();
        if (collapsed.Length > 256) collapsed = collapsed[..256];
        return collapsed.Length == 0 ? DiskOutputEmpty : collapsed;
    }

    private static string? RunForStandardOutput(string file, string arguments)
    {
        try
        {
            using var process = new Process
            {
                StartInfo = new ProcessStartInfo(file, arguments)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                    CreateNoWindow = true,
                },
            };
            if (!process.Start()) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync(); // drained so the child never blocks on a full pipe
            if (!process.WaitForExit(DiskCommandTimeout) || !output.Wait(DiskCommandTimeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
                return null;
            }
            return output.Result; // exit code ignored: only standard output counts
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException or IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
