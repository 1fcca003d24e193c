using Kinema.Media;
using Kinema.World;

namespace Kinema.Cli.Tests;

public sealed class CharacterCliTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void Create_list_show_and_generate_with_the_name()
    {
        string store = fixture.NewPath("characters");
        var env = new Dictionary<string, string> { ["KINEMA_CHARACTERS"] = store };
        string clip = fixture.NewPath("rex.mp4");
        var scene = new Scene(3, Background.Meadow, TimeOfDay.Day, Weather.None, CameraMotion.Static,
            [new SceneObject(ShapeKind.Star, NamedColor.Red, ObjectSize.Large, MotionKind.Spin, Speed.Normal, 0.45, 0.5, 0)]);
        VideoFile.Write(clip, SceneRenderer.Render(scene, new RenderSettings { Width = 128, Height = 128, Fps = 8, Seconds = 2 }), new VideoWriteOptions { Fps = 8 });

        var created = CliRunner.Run(["character", "create", clip, "--name", "Rex"], env);
        Assert.True(created.ExitCode == 0, created.StdErr);
        Assert.Contains("a large red star", created.StdOut);

        var duplicate = CliRunner.Run(["character", "create", clip, "--name", "rex"], env);
        Assert.Equal(2, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.StdErr);

        var list = CliRunner.Run(["character", "list"], env);
        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("Rex\ta large red star\tchar_", list.StdOut);

        var show = CliRunner.Run(["character", "show", "REX"], env);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("shape:       star", show.StdOut);

        var generated = CliRunner.Run(["generate", "Rex jumps", "--model", fixture.ModelFolder, "--seconds", "1", "--fps", "8",
            "--size", "64x48", "--steps", "1", "--seed", "7", "-o", fixture.NewPath("rex-jumps.mp4")], env);
        Assert.True(generated.ExitCode == 0, generated.StdErr);
        Assert.Contains("characters: Rex -> a large red star", generated.StdErr);

        var image = CliRunner.Run(["image", "Rex in a meadow", "--model", fixture.ModelFolder, "--size", "64x48", "--steps", "1",
            "-o", fixture.NewPath("rex.png")], env);
        Assert.True(image.ExitCode == 0, image.StdErr);
        Assert.Contains("characters: Rex -> a large red star", image.StdErr);

        string board = fixture.NewPath("rex-board.json");
        File.WriteAllText(board, """{"cards": [{"start": 0, "prompt": "a blue cube"}, {"start": 1, "prompt": "Rex jumps"}]}""");
        var storyboard = CliRunner.Run(["storyboard", board, "--model", fixture.ModelFolder, "--size", "64x48", "--steps", "1",
            "--seconds", "2", "-o", fixture.NewPath("rex-board.mp4")], env);
        Assert.True(storyboard.ExitCode == 0, storyboard.StdErr);
        Assert.Contains("characters: Rex -> a large red star", storyboard.StdErr);
    }

    [Fact]
    public void Bad_names_exit_2()
    {
        var env = new Dictionary<string, string> { ["KINEMA_CHARACTERS"] = fixture.NewPath("characters") };
        var result = CliRunner.Run(["character", "create", "missing.mp4", "--name", "no/slashes"], env);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("letters, digits", result.StdErr);
    }
}
