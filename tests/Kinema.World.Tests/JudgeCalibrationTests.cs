using Kinema.Media;

namespace Kinema.World.Tests;

/// <summary>The judge's calibration on a few scenes; <c>kinema world calibrate</c> produces the full table.</summary>
public class JudgeCalibrationTests
{
    private const int Scenes = 3;
    private static readonly RenderSettings Settings = JudgeCalibration.DefaultSettings;

    private static IEnumerable<(Scene Scene, RgbFrame[] Frames)> GroundTruth() =>
        Enumerable.Range(0, Scenes).Select(i => SceneSampler.Sample(7000 + i)).Select(s => (s, SceneRenderer.Render(s, Settings)));

    [Fact]
    public void Ground_truth_scores_at_least_95()
    {
        foreach (var (scene, frames) in GroundTruth())
            Assert.True(WorldJudge.Judge(frames, Settings.Fps, scene).Overall >= 95, SceneJson.Serialize(scene));
    }

    [Fact]
    public void Ground_truth_after_H264_CRF_23_scores_at_least_95_on_average()
    {
        Assert.True(Ffmpeg.IsAvailable, "ffmpeg is needed for the H.264 round trip");
        double mean = GroundTruth().Average(g => WorldJudge.Judge(CodecRoundTrip.H264(g.Frames, Settings.Fps, 23), Settings.Fps, g.Scene).Overall);
        Assert.True(mean >= 95, $"mean {mean:0.0}");
    }

    [Fact]
    public void A_video_of_a_different_scene_scores_low()
    {
        double mean = GroundTruth().Select((g, i) => WorldJudge.Judge(g.Frames, Settings.Fps, SceneSampler.Sample(107_000 + i)).Overall).Average();
        Assert.InRange(mean, 0, 40);
    }

    [Fact]
    public void Noise_scores_near_zero()
    {
        var scene = SceneSampler.Sample(7000);
        var report = WorldJudge.Judge(JudgeCalibration.NoiseFrames(Settings, seed: 1), Settings.Fps, scene);
        Assert.InRange(report.Overall, 0, 5);
    }

    [Fact]
    public void A_wrong_colour_lowers_presence_and_nothing_about_the_scenery()
    {
        var scene = TestScenes.Base;
        var frames = SceneRenderer.Render(scene, Settings);
        var report = WorldJudge.Judge(frames, Settings.Fps, scene with { Objects = [TestScenes.Cube with { Color = NamedColor.Blue }] });
        Assert.True(report.Criteria["presence"] < 20, $"presence {report.Criteria["presence"]}");
        Assert.True(report.Criteria["background"] > 90, $"background {report.Criteria["background"]}");
    }

    [Fact]
    public void A_wrong_camera_motion_lowers_the_camera_score()
    {
        var scene = TestScenes.Base with { Camera = CameraMotion.PanLeft };
        var frames = SceneRenderer.Render(scene, Settings);
        var report = WorldJudge.Judge(frames, Settings.Fps, scene with { Camera = CameraMotion.PanRight });
        Assert.True(report.Criteria["camera"] < 20, $"camera {report.Criteria["camera"]}");
    }

    [Fact]
    public void A_wrong_motion_lowers_the_motion_score()
    {
        var frames = SceneRenderer.Render(TestScenes.Base, Settings);
        var report = WorldJudge.Judge(frames, Settings.Fps, TestScenes.Base with { Objects = [TestScenes.Cube with { Motion = MotionKind.MoveLeft, X = 0.7 }] });
        Assert.True(report.Criteria["motion"] < 20, $"motion {report.Criteria["motion"]}");
    }

    [Fact]
    public void The_report_is_JSON_with_overall_and_every_criterion_in_range()
    {
        var (scene, frames) = GroundTruth().First();
        var report = WorldJudge.Judge(frames, Settings.Fps, scene);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        double overall = json.RootElement.GetProperty("overall").GetDouble();
        Assert.InRange(overall, 0, 100);
        foreach (var criterion in json.RootElement.GetProperty("criteria").EnumerateObject())
            Assert.InRange(criterion.Value.GetDouble(), 0, 100);
        Assert.Equal(WorldJudge.Weights.Count, json.RootElement.GetProperty("criteria").EnumerateObject().Count());
    }

    [Fact]
    public void The_calibration_table_has_every_criterion_and_condition()
    {
        var table = JudgeCalibration.Run(1, codecs: []);
        string markdown = table.ToMarkdown();
        Assert.All(WorldJudge.Weights.Keys, k => Assert.Contains($"| {k} |", markdown));
        Assert.Contains(JudgeCalibration.Noise, markdown);
        Assert.Contains(JudgeCalibration.Mismatched, markdown);
    }
}
