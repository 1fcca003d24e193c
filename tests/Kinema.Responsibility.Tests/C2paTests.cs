using System.Security.Cryptography.X509Certificates;
using Kinema.Media;
using Kinema.Responsibility.C2pa;

namespace Kinema.Responsibility.Tests;

public sealed class C2paTests
{
    private static byte[] Png()
    {
        string path = Path.Combine(TestSupport.TempFolder(), "a.png");
        ImageFile.WritePng(path, TestSupport.Frames(32, 32, 1)[0]);
        return File.ReadAllBytes(path);
    }

    internal static string Mp4(string folder, int frames = 8)
    {
        string path = Path.Combine(folder, "plain.mp4");
        VideoFile.Write(path, TestSupport.Frames(64, 64, frames), new VideoWriteOptions { Fps = 8 });
        return path;
    }

    [Fact]
    public void A_signed_png_reads_back_valid_with_the_manifest_contents()
    {
        using var credentials = TestSupport.Credentials();
        var report = ContentCredentialsReader.Read(ContentCredentials.Embed(Png(), TestSupport.Content("image/png"), credentials));
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        Assert.Equal(("vid_test", "kinema-test-model", new string('a', 64), "0123456789abcdef"), (report.VideoId, report.Model, report.PromptSha256, report.WatermarkPayload));
        Assert.Equal(C2paIds.TrainedAlgorithmicMedia, report.DigitalSourceType);
        Assert.StartsWith("Kinema ", report.ClaimGenerator);
    }

    [Fact]
    public void A_signed_mp4_reads_back_valid_and_still_decodes_to_the_same_frames()
    {
        using var credentials = TestSupport.Credentials();
        string folder = TestSupport.TempFolder();
        string plain = Mp4(folder), signed = Path.Combine(folder, "signed.mp4");
        File.WriteAllBytes(signed, ContentCredentials.Embed(File.ReadAllBytes(plain), TestSupport.Content(), credentials));
        Assert.True(ContentCredentialsReader.Read(File.ReadAllBytes(signed)).IsValid);
        var before = VideoFile.Read(plain).Frames;
        var after = VideoFile.Read(signed).Frames;
        Assert.Equal(before.Count, after.Count);
        Assert.All(before.Zip(after), p => Assert.True(p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels)));
    }

    [Fact]
    public void Changing_one_content_byte_breaks_the_hard_binding_only()
    {
        using var credentials = TestSupport.Credentials();
        byte[] signed = ContentCredentials.Embed(File.ReadAllBytes(Mp4(TestSupport.TempFolder())), TestSupport.Content(), credentials);
        signed[^10] ^= 0x01;
        var report = ContentCredentialsReader.Read(signed);
        Assert.True(report.Present && report.SignatureValid && report.AssertionsIntact);
        Assert.False(report.HardBindingValid);
        Assert.Contains(report.Problems, p => p.Contains("data hash mismatch"));
    }

    [Fact]
    public void Editing_an_assertion_after_signing_is_detected()
    {
        using var credentials = TestSupport.Credentials();
        byte[] signed = ContentCredentials.Embed(Png(), TestSupport.Content("image/png"), credentials);
        int at = IndexOf(signed, "kinema-test-model"u8);
        signed[at] = (byte)'K';
        var report = ContentCredentialsReader.Read(signed);
        Assert.False(report.AssertionsIntact);
        Assert.Contains(report.Problems, p => p.Contains("was altered after signing"));
    }

    [Fact]
    public void Signing_again_replaces_the_manifest_instead_of_adding_one()
    {
        using var credentials = TestSupport.Credentials();
        byte[] once = ContentCredentials.Embed(Png(), TestSupport.Content("image/png"), credentials);
        byte[] twice = ContentCredentials.Embed(once, TestSupport.Content("image/png") with { VideoId = "vid_second" }, credentials);
        var report = ContentCredentialsReader.Read(twice);
        Assert.True(report.IsValid);
        Assert.Equal("vid_second", report.VideoId);
        Assert.Equal(1, Count(twice, "caBX"u8));
    }

    [Fact]
    public void A_file_without_credentials_reports_none()
    {
        Assert.False(ContentCredentialsReader.Read(Png()).Present);
    }

    [Fact]
    public void Trust_is_reported_only_against_the_given_roots()
    {
        using var credentials = TestSupport.Credentials();
        byte[] signed = ContentCredentials.Embed(Png(), TestSupport.Content("image/png"), credentials);
        using X509Certificate2 root = SigningKeyStore.LoadGeneratedRoot(TestSupport.SigningFolder)!;
        Assert.False(ContentCredentialsReader.Read(signed).IsTrusted);
        Assert.True(ContentCredentialsReader.Read(signed, [root]).IsTrusted);
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> needle) => data.AsSpan().IndexOf(needle);

    private static int Count(byte[] data, ReadOnlySpan<byte> needle)
    {
        int count = 0;
        for (int at = 0, i; (i = data.AsSpan(at).IndexOf(needle)) >= 0; at += i + needle.Length) count++;
        return count;
    }
}
