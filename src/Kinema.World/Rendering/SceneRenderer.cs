using Kinema.Media;

namespace Kinema.World;

/// <summary>Renders scenes to RGB frames: deterministic (same scene and settings, same bytes), anti-aliased, parallel over frames.</summary>
public static class SceneRenderer
{
    public static RgbFrame[] Render(Scene scene, RenderSettings settings) => RenderChecked(scene, settings, drawObjects: true);

    /// <summary>The scene's scenery alone (background, time of day, weather, camera), as <see cref="Render"/> would draw it without the objects and their shadows.</summary>
    public static RgbFrame[] RenderScenery(Scene scene, RenderSettings settings) => RenderChecked(scene, settings, drawObjects: false);

    private static RgbFrame[] RenderChecked(Scene scene, RenderSettings settings, bool drawObjects)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(settings);
        var problems = scene.Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid scene: " + string.Join("; ", problems), nameof(scene));
        settings.Validate();
        return RenderUnchecked(scene, settings.Width, settings.Height, settings.Fps, settings.FrameCount, drawObjects, settings.MaxDegreeOfParallelism);
    }

    /// <summary>
    /// No size limits and optionally no objects: the judge renders small reference views of the scenery
    /// of a requested scene with this.
    /// </summary>
    internal static RgbFrame[] RenderUnchecked(Scene scene, int width, int height, double fps, int frameCount, bool drawObjects, int parallelism)
    {
        var clip = new ClipRenderer(scene, width, height, fps, frameCount, drawObjects, parallelism);
        var frames = new RgbFrame[clip.FrameCount];
        Parallel.For(0, frames.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            () => (new int[width], new float[width]),
            (i, _, scratch) =>
            {
                frames[i] = clip.RenderFrame(i, scratch.Item1, scratch.Item2);
                return scratch;
            },
            _ => { });
        return frames;
    }
}
