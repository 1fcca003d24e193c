using Kinema.Media;
using Kinema.Training.Evaluation;

namespace Kinema.Training.Tests;

/// <summary>`kinema eval vae` reports the judder: change across latent-frame hand-overs over change inside latent frames.</summary>
public sealed class LatentJudderTests
{
    private static List<RgbFrame> Frames(IEnumerable<int> grey) => grey.Select(v => new RgbFrame(2, 2, Enumerable.Repeat((byte)v, 12).ToArray())).ToList();

    [Fact]
    public void Even_motion_scores_one()
    {
        Assert.Equal(1.0, LatentJudder.Ratio(Frames(Enumerable.Range(0, 17).Select(i => 10 * i)), temporalCompression: 4), 9);
    }

    [Fact]
    public void Motion_that_creeps_inside_latent_frames_and_jumps_between_them_scores_the_size_of_the_jump()
    {
        // Hand-overs are the changes 0→1, 4→5, 8→9, 12→13 (latent frame 0 is frame 0 alone): 9 levels each; the rest 1.
        var grey = new List<int> { 0 };
        for (int latent = 1; latent <= 4; latent++)
        {
            grey.Add(grey[^1] + 9);
            for (int k = 0; k < 3; k++) grey.Add(grey[^1] + 1);
        }
        Assert.Equal(9.0, LatentJudder.Ratio(Frames(grey), temporalCompression: 4), 9);
    }

    [Fact]
    public void Too_few_frames_are_refused_with_the_count_needed()
    {
        var error = Assert.Throws<ArgumentException>(() => LatentJudder.Ratio(Frames([0, 1, 2, 3]), temporalCompression: 4));
        Assert.Contains("at least 5", error.Message);
    }

    [Fact]
    public void Mean_changes_split_hand_overs_from_changes_inside_latent_frames()
    {
        // Frames 0, 6, 7, 8, 9, 15: hand-overs 0→1 (6) and 4→5 (6); inside 1→2, 2→3, 3→4 (1 each).
        var (across, inside) = LatentJudder.MeanChanges(Frames([0, 6, 7, 8, 9, 15]), temporalCompression: 4);
        Assert.Equal(6.0, across, 9);
        Assert.Equal(1.0, inside, 9);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void A_clip_is_measurable_once_it_holds_a_hand_over_and_a_change_inside_a_latent_frame(int frames, bool measurable)
        => Assert.Equal(measurable, LatentJudder.Measurable(frames, temporalCompression: 4));

    [Fact]
    public void Step_rhythm_finds_the_big_step_inside_a_latent_frame_that_the_judder_ratio_misses()
    {
        // Steps 2, 6, 2, 2 in every latent frame (mean 3): the hand-over is ordinary, the second step twice the mean.
        var grey = new List<int> { 0 };
        for (int latent = 1; latent <= 4; latent++)
            foreach (int step in new[] { 2, 6, 2, 2 }) grey.Add(grey[^1] + step);
        var rhythm = LatentJudder.StepRhythm(Frames(grey), temporalCompression: 4);
        Assert.Equal(new[] { 2 / 3.0, 2.0, 2 / 3.0, 2 / 3.0 }, rhythm, new ApproximateComparer());
        Assert.True(LatentJudder.Ratio(Frames(grey), temporalCompression: 4) < 1, "the judder ratio reads this as smooth");
    }

    [Fact]
    public void Step_rhythm_of_even_motion_is_one_everywhere()
    {
        var rhythm = LatentJudder.StepRhythm(Frames(Enumerable.Range(0, 13).Select(i => 7 * i)), temporalCompression: 4);
        Assert.All(rhythm, r => Assert.Equal(1.0, r, 9));
    }

    [Fact]
    public void Ratio_and_rhythm_from_one_pass_equal_the_two_measured_apart()
    {
        var grey = new List<int> { 0 };
        for (int latent = 1; latent <= 4; latent++)
            foreach (int step in new[] { 5, 1, 3, 2 }) grey.Add(grey[^1] + step * latent);
        var frames = Frames(grey);
        var (ratio, rhythm) = LatentJudder.RatioAndRhythm(frames, temporalCompression: 4);
        Assert.Equal(LatentJudder.Ratio(frames, temporalCompression: 4), ratio, 12);
        Assert.Equal(LatentJudder.StepRhythm(frames, temporalCompression: 4), rhythm, new ApproximateComparer());
        Assert.Equal(5 / 2.0, ratio, 9);   // hand-overs 5 per unit of motion, inside (1 + 3 + 2) / 3 = 2
    }

    private sealed class ApproximateComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;
        public int GetHashCode(double value) => 0;
    }
}
