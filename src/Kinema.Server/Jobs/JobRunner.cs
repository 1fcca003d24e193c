using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Server.Storage;

namespace Kinema.Server.Jobs;

/// <summary>
/// Runs one job on the calling thread: each job kind is exactly one pipeline call. Text- and image-to-video jobs
/// longer than <see cref="StoryboardPipeline.NeedsWindows"/> allows in one window go window by window, as the CLI's do.
/// A remix is an edit of its source under the new prompt (remix jobs stored before that run as text-to-video with the source's seed).
/// </summary>
public sealed class JobRunner(DataFolder data)
{
    public VideoResult Run(KinemaModel model, VideoJob job, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var video = ToVideoRequest(job);
        var p = job.Parameters;
        progress = new FinalDecodeOnly(progress);
        return job.Kind switch
        {
            JobKind.Edit or JobKind.Remix when p.SourceVideoFile is not null => RunEdit(model, job, video, progress, cancellation),
            // Only an animation towards a last frame cannot run window by window (text-to-video and remix jobs have none).
            JobKind.TextToVideo or JobKind.Remix or JobKind.ImageToVideo
                when p.LastFrameFile is null && StoryboardPipeline.NeedsWindows(video.Seconds ?? model.Config.Defaults.Seconds, model.Config)
                => RunWindowed(model, job, video, progress, cancellation),
            JobKind.TextToVideo or JobKind.Remix => new TextToVideoPipeline(model).Generate(video, progress, cancellation),
            JobKind.ImageToVideo => new AnimatePipeline(model).Generate(new AnimateRequest
            {
                Video = video,
                FirstFrame = p.FirstFrameFile is null ? null : ImageFile.Read(InputFile(job, p.FirstFrameFile)),
                LastFrame = p.LastFrameFile is null ? null : ImageFile.Read(InputFile(job, p.LastFrameFile)),
            }, progress, cancellation),
            JobKind.Extend => RunExtend(model, job, video, progress, cancellation),
            JobKind.Loop => new LoopPipeline(model).Generate(video, progress, cancellation),
            JobKind.Connect => RunConnect(model, job, video, progress, cancellation),
            JobKind.Storyboard => RunStoryboard(model, job, video, progress, cancellation),
            JobKind.Image => RunImage(model, video, progress, cancellation),
            _ => throw new InvalidOperationException($"no pipeline for job kind {job.Kind}"),
        };
    }

    private static VideoResult RunImage(KinemaModel model, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var (image, metadata) = new ImagePipeline(model).Generate(video, progress, cancellation);
        return new VideoResult([image], metadata);
    }

    private VideoResult RunConnect(KinemaModel model, VideoJob job, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var first = VideoFile.Read(InputFile(job, job.Parameters.SourceVideoFile));
        var second = VideoFile.Read(InputFile(job, job.Parameters.SecondVideoFile));
        return new ConnectPipeline(model).Generate(new ConnectRequest
        {
            Video = video with { Fps = null },
            First = first.Frames,
            Second = second.Frames,
            Fps = first.Fps,
            SecondFps = second.Fps,
            TransitionOnly = job.Parameters.TransitionOnly,
        }, progress, cancellation);
    }

    private VideoResult RunStoryboard(KinemaModel model, VideoJob job, VideoRequest video, IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var cards = job.Parameters.Cards ?? throw new InvalidDataException($"job {job.Id} (storyboard) has no stored cards");
        return new StoryboardPipeline(model).Generate(new StoryboardRequest
        {
            Cards = cards.Select(c => new StoryboardCard(c.Start, c.Prompt, c.ImageFile is null ? null : ImageFile.Read(InputFile(job, c.ImageFile)))).ToList(),
            Seconds = video.Seconds ?? model.Config.Defaults.Seconds,
            Settings = video with { Prompt = cards[0].Prompt },
        }, progress, cancellation);
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
            Strength = job.Parameters.Strength ?? EditRequest.DefaultStrength,
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

    /// <summary>
    /// Passes on only the last decode: pipelines that work window by window, shot by shot or pass by pass decode along the
    /// way, and a job's percentage maps decoding to its last tenth, so an early decode would show the job nearly done.
    /// </summary>
    private sealed class FinalDecodeOnly(IProgress<GenerationProgress> inner) : IProgress<GenerationProgress>
    {
        private bool _denoised;

        public void Report(GenerationProgress value)
        {
            if (value.Stage == GenerationStage.Denoising) _denoised = value.Step >= value.TotalSteps;
            if (value.Stage != GenerationStage.Decoding || _denoised) inner.Report(value);
        }
    }
}
