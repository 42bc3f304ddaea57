using System.Text;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Security;

public sealed class Ed25519KeysTests
{
    // RFC 8032 §7.1, as listed in docs/protocol.md §19.2 (public test keys, never for production).
    private const string Test1Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Test1PublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    private const string Test2Seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    private const string Test2PublicKey = "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=";

    [Theory]
    [InlineData(Test1Seed, Test1PublicKey)]
    [InlineData(Test2Seed, Test2PublicKey)]
    public void Public_keys_derive_from_the_rfc_8032_seeds(string seedHex, string publicKey)
    {
        Assert.Equal(publicKey, Convert.ToBase64String(Ed25519Keys.PublicKeyFromSeed(Convert.FromHexString(seedHex))));

        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(seedHex));
        Assert.Equal(publicKey, Convert.ToBase64String(signer.PublicKey));
        Assert.Equal(publicKey, signer.PublicKeyBase64);
    }

    [Theory]
    [InlineData(Test1PublicKey, "21fe31dfa154a261")]
    [InlineData(Test2PublicKey, "39f713d0a644253f")]
    public void KeyId_is_hex_of_the_first_8_bytes_of_sha256_of_the_public_key(string publicKey, string keyId)
    {
        Assert.Equal(keyId, Ed25519Keys.KeyIdOf(Convert.FromBase64String(publicKey)));
    }

    [Fact]
    public void Signer_carries_the_keyId_of_its_public_key()
    {
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));

        Assert.Equal("21fe31dfa154a261", signer.KeyId);
    }

    [Fact]
    public void Rfc_8032_test_1_signs_the_empty_message()
    {
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));

        var signature = signer.Sign([]);

        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
        Assert.True(Ed25519Keys.Verify(Convert.FromBase64String(Test1PublicKey), [], signature));
    }

    [Fact]
    public void Rfc_8032_test_2_signs_the_message_0x72()
    {
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test2Seed));

        var signature = signer.Sign([0x72]);

        Assert.Equal(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            Convert.ToHexStringLower(signature));
        Assert.True(Ed25519Keys.Verify(Convert.FromBase64String(Test2PublicKey), [0x72], signature));
    }

    [Fact]
    public void Signing_the_official_validate_success_payload_with_test_1_gives_the_known_signature()
    {
        using var vectors = SpecVectors.Load("ed25519.json");
        var payload = vectors.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == "validate_success")
            .GetProperty("payload").GetString()!;
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));

        var signature = signer.Sign(Encoding.ASCII.GetBytes(payload));

        Assert.Equal("4lzNMxFinkoV18qSmfMD9x07zkJbuhiFo1J8SvkuH12hl8MJUWxo0p8251AJqeTcZFWOMTzOHsLklbkH5CL/BA==", Convert.ToBase64String(signature));
    }

    [Fact]
    public void Each_official_vector_verifies_exactly_as_shouldVerify()
    {
        using var vectors = SpecVectors.Load("ed25519.json");
        var publicKey = Convert.FromBase64String(vectors.RootElement.GetProperty("publicKey").GetString()!);
        var cases = vectors.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(4, cases.Length);

        foreach (var testCase in cases)
        {
            var payload = Encoding.ASCII.GetBytes(testCase.GetProperty("payload").GetString()!);
            var signature = Convert.FromBase64String(testCase.GetProperty("signature").GetString()!);
            var expected = testCase.GetProperty("shouldVerify").GetBoolean();

            Assert.True(expected == Ed25519Keys.Verify(publicKey, payload, signature), $"case {testCase.GetProperty("id")}: expected {expected}");
        }
    }

    [Fact]
    public void Verification_fails_for_another_key_a_changed_message_or_a_malformed_signature()
    {
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));
        var message = "eyJub25jZSI6ImFiYyJ9"u8.ToArray();
        var signature = signer.Sign(message);
        var otherKey = Convert.FromBase64String(Test2PublicKey);

        Assert.True(Ed25519Keys.Verify(signer.PublicKey, message, signature));
        Assert.False(Ed25519Keys.Verify(otherKey, message, signature));
        Assert.False(Ed25519Keys.Verify(signer.PublicKey, [.. message, 0], signature));
        Assert.False(Ed25519Keys.Verify(signer.PublicKey, message, signature.AsSpan(0, 63)));
        Assert.False(Ed25519Keys.Verify(signer.PublicKey.AsSpan(0, 31).ToArray(), message, signature));
        signature[10] ^= 1;
        Assert.False(Ed25519Keys.Verify(signer.PublicKey, message, signature));
    }

    [Fact]
    public void Generated_pairs_are_fresh_and_consistent()
    {
        var first = Ed25519Keys.Generate();
        var second = Ed25519Keys.Generate();

        Assert.Equal(32, first.Seed.Length);
        Assert.Equal(32, first.PublicKey.Length);
        Assert.NotEqual(first.Seed, second.Seed);
        Assert.Equal(first.PublicKey, Ed25519Keys.PublicKeyFromSeed(first.Seed));
        using var signer = Ed25519Signer.FromSeed(first.Seed);
        Assert.True(Ed25519Keys.Verify(first.PublicKey, "abc"u8, signer.Sign("abc"u8)));
        Assert.DoesNotContain(Convert.ToHexStringLower(first.Seed), first.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task One_signer_signs_correctly_from_many_threads_at_once()
    {
        using var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));
        var messages = Enumerable.Range(0, 64).Select(i => Encoding.ASCII.GetBytes($"payload-{i}-" + new string('x', i * 23))).ToArray();
        var expected = messages.Select(m => signer.Sign(m)).ToArray();
        using var start = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, Math.Max(4, Environment.ProcessorCount)).Select(_ => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            var signature = new byte[Ed25519Keys.SignatureSize];
            for (var round = 0; round < 50; round++)
            {
                for (var i = 0; i < messages.Length; i++)
                {
                    signer.Sign(messages[i], signature);
                    if (!signature.AsSpan().SequenceEqual(expected[i]))
                    {
                        return false;
                    }
                }
            }
            return true;
        }, TestContext.Current.CancellationToken)).ToArray();
        start.Set();

        Assert.All(await Task.WhenAll(workers), Assert.True);
    }

    [Fact]
    public void Seeds_must_be_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => Ed25519Signer.FromSeed(new byte[31]));
        Assert.Throws<ArgumentException>(() => Ed25519Keys.PublicKeyFromSeed(new byte[33]));
        Assert.Throws<ArgumentException>(() => Ed25519Keys.KeyIdOf(new byte[16]));
    }

    [Fact]
    public void A_disposed_signer_refuses_to_sign()
    {
        var signer = Ed25519Signer.FromSeed(Convert.FromHexString(Test1Seed));
        signer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => signer.Sign("abc"u8));
    }
}
