using System.Runtime.InteropServices;

namespace OrleansLicensing.Sdk;

/// <summary>The HWID derivation of docs/protocol.md §17.2 with fixed inputs (known answers computed with sha256sum).</summary>
public sealed class HardwareIdTests
{
    [Fact]
    public void The_hwid_is_the_lowercase_hex_sha256_of_the_mac_cpu_and_disk_parts()
    {
        var mac = HardwareId.MacPart([[], [0x02, 0x42, 0xAC, 0x11, 0x00, 0x02], [0x11, 0x22]]);
        var cpu = HardwareId.CpuPart(8, Architecture.X64);
        var disk = HardwareId.CollapseDiskOutput("SERIAL\n".Replace("SERIAL", "S3YLNX0K123456") + "  WD-WX12 \n\n");

        Assert.Equal(("0242ac110002", "8-X64", "S3YLNX0K123456 WD-WX12"), (mac, cpu, disk));
        Assert.Equal("1c50915ab99d60a18ca00ae46a951905d3ac90d5558b4af9483f8aae01ac46b3", HardwareId.Derive(mac, cpu, disk));
    }

    [Fact]
    public void Missing_parts_have_fixed_stand_ins()
    {
        Assert.Equal(HardwareId.MacUnavailable, HardwareId.MacPart([[], []]));
        Assert.Equal("4-Arm64", HardwareId.CpuPart(4, Architecture.Arm64));
        Assert.Equal("unavailable", HardwareId.CollapseDiskOutput(null));
        Assert.Equal("empty", HardwareId.CollapseDiskOutput(" \n\t "));
        Assert.Equal("c1868fef2774baf7a5f6b40325c93ff3ea804ec679cd8b62f3a6fd25a370f264", HardwareId.Derive("mac-unavailable", "4-Arm64", "unavailable"));
    }

    [Fact]
    public void Disk_output_is_cut_to_256_characters_after_collapsing()
    {
        var output = string.Join("   ", Enumerable.Repeat("ABCDEFGHIJ", 40));
        var disk = HardwareId.CollapseDiskOutput(output);
        Assert.Equal(256, disk.Length);
        Assert.StartsWith("ABCDEFGHIJ ABCDEFGHIJ", disk);
    }

    [Fact]
    public void This_machine_gets_a_stable_64_character_hwid_and_the_client_prefers_an_override()
    {
        var hwid = HardwareId.ForThisMachine();
        Assert.Matches("^[0-9a-f]{64}$", hwid);
        Assert.Equal(hwid, HardwareId.ForThisMachine());

        var options = new LicensingClientOptions { AppId = "a", AppSecret = "s", SigningScheme = SigningScheme.HmacV1, ApiBaseUrl = new Uri("http://localhost:1") };
        using var derived = new LicensingClient(options);
        Assert.Equal(hwid, derived.Hwid);
        options.HwidOverride = "  tg:123456789 ";
        using var overridden = new LicensingClient(options);
        Assert.Equal("tg:123456789", overridden.Hwid);
    }
}
