using System.Text.RegularExpressions;

namespace OrleansLicensing.Licenses;

public sealed partial class LicenseKeyTests
{
    [GeneratedRegex("^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")]
    private static partial Regex KeyForm();

    [Fact]
    public void Alphabet_is_A_to_Z_without_I_and_O_then_2_to_9()
    {
        Assert.Equal("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", LicenseKey.Alphabet);
        Assert.Equal(32, LicenseKey.Alphabet.Distinct().Count());
    }

    [Fact]
    public void Generated_keys_have_four_groups_of_four_alphabet_symbols()
    {
        for (var i = 0; i < 1000; i++)
        {
            var key = LicenseKey.Generate();

            Assert.Matches(KeyForm(), key);
            Assert.True(LicenseKey.IsWellFormed(key), key);
            Assert.Equal(key, LicenseKey.Canonicalize(key));
        }
    }

    [Fact]
    public void Generated_keys_use_every_symbol_in_every_position_and_never_I_O_0_or_1()
    {
        const int keys = 20_000;
        var counts = new int[16, 32];
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < keys; i++)
        {
            var key = LicenseKey.Generate();
            distinct.Add(key);
            Assert.DoesNotContain('I', key);
            Assert.DoesNotContain('O', key);
            Assert.DoesNotContain('0', key);
            Assert.DoesNotContain('1', key);
            var symbols = key.Replace("-", "", StringComparison.Ordinal);
            for (var position = 0; position < 16; position++)
            {
                counts[position, LicenseKey.Alphabet.IndexOf(symbols[position], StringComparison.Ordinal)]++;
            }
        }

        // 80 random bits per key: a repeat among 20,000 keys has probability ~1.7e-16.
        Assert.Equal(keys, distinct.Count);
        // Expected count per cell is 625 (sd ≈ 24.6); [450, 800] is more than 7 sd either side, so a
        // failure means bias (e.g. a stuck bit or a modulo reduction), not bad luck.
        for (var position = 0; position < 16; position++)
        {
            for (var symbol = 0; symbol < 32; symbol++)
            {
                Assert.InRange(counts[position, symbol], 450, 800);
            }
        }
    }

    [Theory]
    [InlineData("7kqm-3xzp-w9rt-h2cv", "7KQM-3XZP-W9RT-H2CV")]
    [InlineData("  7KQM-3XZP-W9RT-H2CV\t\n", "7KQM-3XZP-W9RT-H2CV")]
    [InlineData("\u00a07Kqm-3XZP-W9RT-H2CV\u2003", "7KQM-3XZP-W9RT-H2CV")]
    [InlineData("abc-xyz", "ABC-XYZ")]
    [InlineData("", "")]
    public void Canonicalize_trims_and_uppercases_ascii_letters(string submitted, string canonical)
    {
        Assert.Equal(canonical, LicenseKey.Canonicalize(submitted));
    }

    [Theory]
    [InlineData("ä7kq-ﬁ", "ä7KQ-ﬁ")]
    [InlineData("ıi", "ıI")]
    [InlineData("7KQM 3XZP", "7KQM 3XZP")]
    [InlineData("7kqm_3xzp", "7KQM_3XZP")]
    public void Canonicalize_changes_nothing_but_ascii_a_to_z(string submitted, string canonical)
    {
        Assert.Equal(canonical, LicenseKey.Canonicalize(submitted));
    }

    [Theory]
    [InlineData("7KQM-3XZP-W9RT-H2CV", true)]
    [InlineData("AAAA-2222-ZZZZ-9999", true)]
    [InlineData("7kqm-3xzp-w9rt-h2cv", false)]
    [InlineData("7KQM-3XZP-W9RT-H2C", false)]
    [InlineData("7KQM-3XZP-W9RT-H2CVX", false)]
    [InlineData("7KQM3XZPW9RTH2CV---", false)]
    [InlineData("7KQM_3XZP-W9RT-H2CV", false)]
    [InlineData("7KQM-3XZP-W9RT-H2C0", false)]
    [InlineData("7KQM-3XZP-W9RT-H2C1", false)]
    [InlineData("IKQM-3XZP-W9RT-H2CV", false)]
    [InlineData("OKQM-3XZP-W9RT-H2CV", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsWellFormed_accepts_only_the_generated_form(string? key, bool wellFormed)
    {
        Assert.Equal(wellFormed, LicenseKey.IsWellFormed(key));
    }
}
