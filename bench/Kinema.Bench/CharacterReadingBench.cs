using System.Text.Json;
using Kinema.World;
using Kinema.World.Characters;

namespace Kinema.Bench;

/// <summary>
/// How well <c>kinema character create</c> reads a reference clip: the capabilities bench's character scenes (a scene's
/// first object alone, static camera, its scenery, light and weather kept), rendered at 128x128, 2 s at 8 fps, through
/// H.264 at CRF 23 as a user's clip would be, and read by <see cref="CharacterAnalyzer"/>. Reports colour, shape and
/// size read right, overall and by weather, and every misreading. No model is involved.
/// </summary>
public static class CharacterReadingBench
{
    public static int Run(string[] args)
    {
        int count = int.Parse(Program.Option(args, "--count", "100"));
        int first = int.Parse(Program.Option(args, "--first", "0"));
        var rows = new List<Row>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = first; i < first + count; i++)
        {
            // The same scenes as the capabilities bench's characters part (scene i of 8,000,000 + i).
            var scene = SceneSampler.Sample(8_000_000 + i);
            var subject = scene.Objects[0];
            var alone = scene with { Objects = [subject], Camera = CameraMotion.Static };
            var clip = CodecRoundTrip.H264(SceneRenderer.Render(alone, new RenderSettings { Width = 128, Height = 128, Fps = 8, Seconds = 2 }), 8, 23);
            var read = CharacterAnalyzer.Analyze(clip, 8);
            var row = new Row(i, alone.Weather.ToString(), CharacterAppearance.Describe(subject.Color, subject.Shape, subject.Size), read.Description,
                read.Color == subject.Color, read.Shape == subject.Shape, read.Size == subject.Size);
            rows.Add(row);
            if (!(row.ColorRight && row.ShapeRight && row.SizeRight))
                Console.WriteLine($"{i,4} {alone.Weather,-5} {subject.Motion,-13} \"{row.Truth}\" read as \"{row.Read}\"");
        }
        static string Share(IEnumerable<bool> right) { var list = right.ToList(); return $"{list.Count(r => r)}/{list.Count}"; }
        Console.WriteLine($"{count} clips, {clock.Elapsed.TotalSeconds / count:0.00} s each");
        Console.WriteLine($"{"weather",-8} {"clips",6} {"colour",8} {"shape",8} {"size",8}");
        var groups = rows.GroupBy(r => r.Weather).OrderBy(g => g.Key).Select(g => (Name: g.Key, Rows: g.ToList())).Prepend(("all", rows));
        var summary = new List<object>();
        foreach (var (name, group) in groups)
        {
            Console.WriteLine($"{name,-8} {group.Count,6} {Share(group.Select(r => r.ColorRight)),8} {Share(group.Select(r => r.ShapeRight)),8} {Share(group.Select(r => r.SizeRight)),8}");
            summary.Add(new { weather = name, clips = group.Count, colour_right = group.Count(r => r.ColorRight), shape_right = group.Count(r => r.ShapeRight), size_right = group.Count(r => r.SizeRight) });
        }
        File.WriteAllText(Path.Combine(Program.ResultsFolder(), Program.Option(args, "--out", "character-reading") + ".json"),
            JsonSerializer.Serialize(new { benchmark = "character-reading", date = DateTime.UtcNow, first, count, summary, rows }, Kinema.IO.Json.Options));
        return 0;
    }

    private sealed record Row(int Scene, string Weather, string Truth, string Read, bool ColorRight, bool ShapeRight, bool SizeRight);
}
