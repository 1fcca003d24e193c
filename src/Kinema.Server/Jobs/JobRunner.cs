using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Server.Storage;

namespace Kinema.Server.Jobs;

/// <summary>
/// Runs one job on the calling thread: each job kind is exactly one pipeline call. Text- and image-to-video jobs
/// longer than <see cref="StoryboardPipeline.NeedsWindows"/> allows in one window go window by window, as the CLI's do.
/// </summary>
public sealed class JobRunner(DataFolder data)
{
    public VideoResult Run(KinemaModel model, VideoJob job, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var video = ToVideoRequest(job);
        return job.Kind switch
        {
            JobKind.TextToVideo or JobKind.Remix or JobKind.ImageToVideo when StoryboardPipeline.NeedsWindows(video.Seconds ?? model.Config.Defaults.Seconds, model.Config)
                => RunWindowed(model, job, video, progress, cancellation),
            JobKind.TextToVideo or JobKind.Remix => new TextToVideoPipeline(model).Generate(video, progress, cancellation),
            JobKind.ImageToVideo => new AnimatePipeline(model).Generate(new AnimateRequest
            {
                Video = video,
                FirstFrame = ImageFile.Read(InputFile(job, job.Parameters.FirstFrameFile)),
            }, progress, cancellation),
            JobKind.Edit => RunEdit(model, job, video, progress, cancellation),
            JobKind.Extend => RunExtend(model, job, video, progress, cancellation),
            _ => throw new InvalidOperationException($"no pipeline for job kind {job.Kind}"),
        };
    }

    private VideoResult RunWindowed(KinemaModel model, VideoJob job, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var firstFrame = job.Kind == JobKind.ImageToVideo ? ImageFile.Read(InputFile(job, job.Parameters.FirstFrameFile)) : null;
        return new StoryboardPipeline(model).Generate(new StoryboardRequest
        {
            Cards = [new StoryboardCard(0, video.Prompt, firstFrame)],
            Seconds = video.Seconds ?? model.Config.Defaults.Seconds,
            Settings = video,
        }, progress, cancellation);
    }

    private VideoResult RunEdit(KinemaModel model, VideoJob job, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var source = VideoFile.Read(InputFile(job, job.Parameters.SourceVideoFile));
        return new EditPipeline(model).Generate(new EditRequest
        {
            Video = video,
            Source = source.Frames,
            SourceFps = source.Fps,
            Strength = job.Parameters.Strength ?? 0.6,
        }, progress, cancellation);
    }

    private VideoResult RunExtend(KinemaModel model, VideoJob job, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var source = VideoFile.Read(InputFile(job, job.Parameters.SourceVideoFile));
        return new ExtendPipeline(model).Generate(new ExtendRequest
        {
            Video = job.Parameters.KeepSourceSize ? video with { Width = null, Height = null } : video,
            Source = source.Frames,
            SourceFps = source.Fps,
            Backward = job.Parameters.Backward,
        }, progress, cancellation);
    }

    private static VideoRequest ToVideoRequest(VideoJob job)
    {
        var p = job.Parameters;
        return new VideoRequest
        {
            Prompt = p.ExpandedPrompt ?? job.Prompt ?? "",
            NegativePrompt = p.NegativePrompt,
            Seconds = p.Seconds,
            Fps = p.Fps,
            Width = p.Width,
            Height = p.Height,
            Steps = p.Steps,
            Guidance = p.Guidance,
            GuidanceMinSigma = p.GuidanceMinSigma,
            Sampler = p.ParsedSampler(),
            Eta = p.Eta,
            Seed = p.Seed,
        };
    }

    private string InputFile(VideoJob job, string? name)
    {
        if (name is null) throw new InvalidDataException($"job {job.Id} ({job.Kind.ToWire()}) has no stored input");
        return Path.Combine(data.InputFolder(job.Id), name);
    }
}
