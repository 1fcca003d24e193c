using System.Text.Json;
using Kinema.Media;
using Kinema.Responsibility.C2pa;

namespace Kinema.Responsibility.Tests;

/// <summary>
/// Kinema's Content Credentials read back by the C2PA project's own SDK (c2pa-rs via WebAssembly):
/// manifest found, claim signature validated, every assertion hash and the data hash matching. The
/// operator's self-issued root is on no trust list, so "untrusted" is the one failure allowed, and
/// handing the reader that root as an anchor makes the state "Trusted".
/// </summary>
public sealed class IndependentReaderTests
{
    private static void AssertValid(JsonElement result)
    {
        Assert.True(result.GetProperty("found").GetBoolean(), result.ToString());
        var success = result.GetProperty("success").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("claimSignature.validated", success);
        Assert.Contains("assertion.dataHash.match", success);
        Assert.Equal(3, success.Count(s => s == "assertion.hashedURI.match"));
        var failures = result.GetProperty("failure").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.All(failures, code => Assert.Equal("signingCredential.untrusted", code));
        Assert.Equal("Valid", result.GetProperty("validationState").GetString());
        var action = result.GetProperty("actions")[0];
        Assert.Equal("c2pa.created", action.GetProperty("action").GetString());
        Assert.Equal(C2paIds.TrainedAlgorithmicMedia, action.GetProperty("digitalSourceType").GetString());
    }

    [IndependentReaderFact]
    public void C2pa_rs_validates_a_signed_mp4()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        string signed = Path.Combine(folder, "signed.mp4");
        File.WriteAllBytes(signed, ContentCredentials.Embed(File.ReadAllBytes(C2paTests.Mp4(folder)), TestSupport.Content(), credentials));
        AssertValid(IndependentReader.Read(signed, "video/mp4"));
    }

    [IndependentReaderFact]
    public void C2pa_rs_validates_a_signed_png()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        string plain = Path.Combine(folder, "a.png"), signed = Path.Combine(folder, "signed.png");
        ImageFile.WritePng(plain, TestSupport.Frames(32, 32, 1)[0]);
        File.WriteAllBytes(signed, ContentCredentials.Embed(File.ReadAllBytes(plain), TestSupport.Content("image/png"), credentials));
        AssertValid(IndependentReader.Read(signed, "image/png"));
    }

    [IndependentReaderFact]
    public void C2pa_rs_trusts_the_manifest_when_given_the_operator_root()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        string signed = Path.Combine(folder, "signed.mp4");
        File.WriteAllBytes(signed, ContentCredentials.Embed(File.ReadAllBytes(C2paTests.Mp4(folder)), TestSupport.Content(), credentials));
        var result = IndependentReader.Read(signed, "video/mp4", Path.Combine(TestSupport.SigningFolder, SigningKeyStore.CaFileName));
        Assert.Equal("Trusted", result.GetProperty("validationState").GetString());
    }

    [IndependentReaderFact]
    public void C2pa_rs_reports_a_tampered_mp4()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        byte[] signed = ContentCredentials.Embed(File.ReadAllBytes(C2paTests.Mp4(folder)), TestSupport.Content(), credentials);
        signed[^10] ^= 0x01;
        string path = Path.Combine(folder, "tampered.mp4");
        File.WriteAllBytes(path, signed);
        var failures = IndependentReader.Read(path, "video/mp4").GetProperty("failure").EnumerateArray().Select(e => e.GetProperty("code").GetString());
        Assert.Contains("assertion.dataHash.mismatch", failures);
    }
}
