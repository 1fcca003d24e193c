using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Kinema.Media;
using Kinema.World;

namespace Kinema.Cli.Commands;

/// <summary>
/// <c>kinema world</c>: sample captioned clips from the toy world, judge a video against a scene, and
/// print the judge's calibration table. Exit codes: 0 ok, 2 bad input (message on stderr), 1 failure.
/// </summary>
public static partial class WorldCommand
{
    private const int BadInput = 2;
    private const int Failure = 1;

    public static Command Create()
    {
        var world = new Command("world", "Procedural toy world: captioned training clips, and a judge of prompt adherence.");
        world.Subcommands.Add(CreateSample());
        world.Subcommands.Add(CreateJudge());
        world.Subcommands.Add(CreateCalibrate());
        return world;
    }

    private static Command CreateSample()
    {
        var count = new Option<int>("--count") { Description = "Number of samples to write.", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out") { Description = "Directory for NAME.mp4, NAME.txt (caption) and NAME.json (scene).", Required = true };
        var size = new Option<string>("--size") { Description = "Frame size WxH; each side a multiple of 8 from 64 to 1024.", DefaultValueFactory = _ => "128x128" };
        var seconds = new Option<double>("--seconds") { Description = "Clip length in seconds.", DefaultValueFactory = _ => 3 };
        var fps = new Option<double>("--fps") { Description = "Frames per second.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the first sample; sample i uses seed + i.", DefaultValueFactory = _ => 0 };
        var split = new Option<string>("--split") { Description = "train or heldout.", DefaultValueFactory = _ => "train" };
        var command = new Command("sample", "Write random scenes as MP4 clips with a caption and the scene JSON.");
        foreach (var option in new Option[] { count, output, size, seconds, fps, seed, split }) command.Options.Add(option);
        command.SetAction(parseResult =>
        {
            int n = parseResult.GetValue(count);
            if (n < 1) return Fail(BadInput, $"--count is {n}; it must be at least 1");
            string? directory = parseResult.GetValue(output);
            if (string.IsNullOrWhiteSpace(directory)) return Fail(BadInput, "--out must name a directory");
            if (!TryParseSize(parseResult.GetValue(size) ?? "", out int width, out int height))
                return Fail(BadInput, $"--size '{parseResult.GetValue(size)}' is not WxH (for example 128x128)");
            SplitName splitName;
            switch (parseResult.GetValue(split)?.ToLowerInvariant())
            {
                case "train": splitName = SplitName.Train; break;
                case "heldout": splitName = SplitName.HeldOut; break;
                default: return Fail(BadInput, $"--split '{parseResult.GetValue(split)}' must be train or heldout");
            }
            var settings = new RenderSettings { Width = width, Height = height, Fps = parseResult.GetValue(fps), Seconds = parseResult.GetValue(seconds) };
            var problems = settings.Problems();
            if (problems.Count > 0) return Fail(BadInput, string.Join("; ", problems));
            int firstSeed = parseResult.GetValue(seed);
            if ((long)firstSeed + n - 1 > int.MaxValue) return Fail(BadInput, $"--seed {firstSeed} plus --count {n} runs past the largest seed {int.MaxValue}");
            try
            {
                Directory.CreateDirectory(directory);
                for (int i = 0; i < n; i++)
                {
                    int sampleSeed = firstSeed + i;
                    var scene = SceneSampler.Sample(sampleSeed, splitName);
                    string caption = CaptionGenerator.Generate(scene, variant: sampleSeed, splitName);
                    string name = string.Create(CultureInfo.InvariantCulture, $"{(splitName == SplitName.Train ? "train" : "heldout")}-{sampleSeed:D6}");
                    string basePath = Path.Combine(directory, name);
                    var frames = SceneRenderer.Render(scene, settings);
                    var written = VideoFile.Write(basePath + ".mp4", frames, new VideoWriteOptions { Fps = settings.Fps, Comment = caption });
                    if (written.Notice is not null) Console.Error.WriteLine(written.Notice);
                    File.WriteAllText(basePath + ".txt", caption + "\n");
                    File.WriteAllText(basePath + ".json", SceneJson.Serialize(scene) + "\n");
                    Console.WriteLine($"{written.Path}\t{caption}");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or MediaException)
            {
                return Fail(Failure, e.Message);
            }
        });
        return command;
    }

    private static Command CreateJudge()
    {
        var video = new Argument<string>("VIDEO") { Description = "Video file to judge (MP4, or anything ffmpeg decodes; GIF)." };
        var scenePath = new Option<string>("--scene") { Description = "JSON of the scene the video was asked to show.", Required = true };
        var command = new Command("judge", "Score how well a video shows a scene; prints JSON with per-criterion scores and 'overall' in [0, 100].");
        command.Arguments.Add(video);
        command.Options.Add(scenePath);
        command.SetAction(parseResult =>
        {
            string? videoPath = parseResult.GetValue(video);
            string? sceneFile = parseResult.GetValue(scenePath);
            if (string.IsNullOrWhiteSpace(videoPath) || !File.Exists(videoPath)) return Fail(BadInput, $"video file '{videoPath}' does not exist");
            if (string.IsNullOrWhiteSpace(sceneFile) || !File.Exists(sceneFile)) return Fail(BadInput, $"scene file '{sceneFile}' does not exist");
            Scene scene;
            try
            {
                scene = SceneJson.Load(sceneFile);
            }
            catch (SceneFormatException e)
            {
                return Fail(BadInput, $"{sceneFile}: {e.Message}");
            }
            VideoClip clip;
            try
            {
                clip = VideoFile.Read(videoPath);
            }
            catch (MediaException e)
            {
                return Fail(BadInput, $"cannot decode video '{videoPath}': {e.Message}");
            }
            if (clip.Frames.Count == 0) return Fail(BadInput, $"video '{videoPath}' has no frames");
            Console.WriteLine(WorldJudge.Judge(clip.Frames, clip.Fps, scene).ToJson());
            return 0;
        });
        return command;
    }

    private static Command CreateCalibrate()
    {
        var count = new Option<int>("--count") { Description = "Number of sampled scenes per condition.", DefaultValueFactory = _ => 20 };
        var command = new Command("calibrate", "Judge ground truth (raw and after H.264 CRF 23), mismatched scenes and noise; print the calibration table.");
        command.Options.Add(count);
        command.SetAction(parseResult =>
        {
            int n = parseResult.GetValue(count);
            if (n < 1) return Fail(BadInput, $"--count is {n}; it must be at least 1");
            try
            {
                var table = JudgeCalibration.Run(n, codecs: [CodecRoundTrip.H264Condition(23)]);
                Console.Write(table.ToMarkdown());
                return 0;
            }
            catch (MediaException e)
            {
                return Fail(Failure, e.Message);
            }
        });
        return command;
    }

    private static bool TryParseSize(string text, out int width, out int height)
    {
        width = height = 0;
        var match = SizePattern().Match(text.Trim());
        return match.Success
            && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out height);
    }

    [GeneratedRegex(@"^(\d{1,5})[xX](\d{1,5})$")]
    private static partial Regex SizePattern();

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"kinema world: {message}");
        return exitCode;
    }
}
