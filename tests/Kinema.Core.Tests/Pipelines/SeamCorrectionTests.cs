using Kinema.Media;
using Kinema.Pipelines;

namespace Kinema.Core.Tests.Pipelines;

public class SeamCorrectionTests
{
    private static RgbFrame Flat(byte value, int width = 4, int height = 2)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, value);
        return new RgbFrame(width, height, pixels);
    }

    private static List<RgbFrame> Run(params byte[] values) => values.Select(v => Flat(v)).ToList();

    [Fact]
    public void Residual_is_the_given_frame_minus_its_decode()
    {
        var given = new RgbFrame(1, 1, [200, 10, 128]);
        var decoded = new RgbFrame(1, 1, [180, 30, 128]);
        Assert.Equal(new float[] { 20, -20, 0 }, SeamCorrection.Residual(given, decoded));
    }

    [Fact]
    public void Residual_of_frames_of_different_sizes_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SeamCorrection.Residual(Flat(0, 4, 2), Flat(0, 2, 4)));
        Assert.Contains("4x2", error.Message);
    }

    [Fact]
    public void A_seam_before_the_run_corrects_fully_at_the_seam_and_fades_to_nothing()
    {
        // The decoder made the given frame 100 where it was 140: the run starts 40 low and should start at 140.
        var residual = SeamCorrection.Residual(Flat(140), Flat(100));
        var corrected = SeamCorrection.Apply(Run(100, 100, 100, 100, 100), residual, null, fadeFrames: 4);
        Assert.Equal(new byte[] { 140, 130, 120, 110, 100 }, corrected.Select(f => f.Pixels[0]).ToArray());
    }

    [Fact]
    public void A_seam_after_the_run_fades_in_towards_its_end()
    {
        var residual = SeamCorrection.Residual(Flat(60), Flat(100));
        var corrected = SeamCorrection.Apply(Run(100, 100, 100), null, residual, fadeFrames: 2);
        Assert.Equal(new byte[] { 100, 80, 60 }, corrected.Select(f => f.Pixels[0]).ToArray());
    }

    [Fact]
    public void Seams_at_both_ends_of_a_short_run_are_interpolated_across_it()
    {
        var before = SeamCorrection.Residual(Flat(130), Flat(100));   // +30
        var after = SeamCorrection.Residual(Flat(70), Flat(100));     // -30
        var corrected = SeamCorrection.Apply(Run(100, 100, 100), before, after, fadeFrames: 8);
        // The fade is longer than the run: weights (1, 0), (1/2, 1/2), (0, 1).
        Assert.Equal(new byte[] { 130, 100, 70 }, corrected.Select(f => f.Pixels[0]).ToArray());
    }

    [Fact]
    public void Seams_at_both_ends_of_a_long_run_each_fade_out_before_the_middle()
    {
        var before = SeamCorrection.Residual(Flat(140), Flat(100));   // +40
        var after = SeamCorrection.Residual(Flat(60), Flat(100));     // -40
        var corrected = SeamCorrection.Apply(Run(100, 100, 100, 100, 100, 100, 100), before, after, fadeFrames: 2);
        Assert.Equal(new byte[] { 140, 120, 100, 100, 100, 80, 60 }, corrected.Select(f => f.Pixels[0]).ToArray());
    }

    [Fact]
    public void A_single_frame_between_two_seams_takes_half_of_each()
    {
        var before = SeamCorrection.Residual(Flat(140), Flat(100));
        var after = SeamCorrection.Residual(Flat(120), Flat(100));
        Assert.Equal(130, SeamCorrection.Apply(Run(100), before, after, fadeFrames: 8)[0].Pixels[0]);
    }

    [Fact]
    public void Corrected_values_are_clamped_to_the_byte_range()
    {
        var residual = SeamCorrection.Residual(Flat(255), Flat(0));
        var corrected = SeamCorrection.Apply(Run(250), residual, null, fadeFrames: 4);
        Assert.Equal(255, corrected[0].Pixels[0]);
    }

    [Fact]
    public void Without_residuals_the_frames_are_returned_unchanged()
    {
        var run = Run(1, 2, 3);
        var corrected = SeamCorrection.Apply(run, null, null, fadeFrames: 4);
        Assert.Equal(run, corrected);
    }
}
