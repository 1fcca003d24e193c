using System.Text.Json;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Responsibility.Publishing;
using Kinema.Server.Storage;

namespace Kinema.Server.Jobs;

/// <summary>
/// Writes a finished job's three downloads: the MP4 (watermarked and signed), a WebP thumbnail (the middle frame) and a WebP
/// spritesheet (up to 16 evenly spaced frames in a grid, as OpenAI's spritesheet variant). Each file is
/// written to a temporary name and renamed into place; the job is marked completed only after all three.
/// An image job has one download instead: a PNG, watermarked and signed the same way.
/// </summary>
public sealed class OutputWriter(DataFolder data, OutputProvenance provenance)
{
    public const int SpritesheetMaxFrames = 16;
    public const int SpritesheetColumns = 4;

    /// <summary>Removes anything an interrupted earlier run of the job left behind.</summary>
    public void Reset(string id)
    {
        DataFolder.DeleteQuietly(data.VideoFolder(id));
        Directory.CreateDirectory(data.VideoFolder(id));
    }

    /// <summary>Removes a job's outputs and stored inputs (delete, expiry of inputs).</summary>
    public void Discard(string id)
    {
        DataFolder.DeleteQuietly(data.VideoFolder(id));
        DataFolder.DeleteQuietly(data.InputFolder(id));
    }

    /// <summary>
    /// Writes the downloads of <paramref name="job"/>. The MP4 goes through the provenance publisher
    /// (optional visible mark, invisible watermark keyed to the job id, then C2PA Content Credentials
    /// signed over the final bytes); thumbnails and spritesheets are plain previews.
    /// </summary>
    public PublishedOutput Write(VideoJob job, VideoResult result)
    {
        string folder = data.VideoFolder(job.Id);
        Directory.CreateDirectory(folder);
        var info = new ProvenanceInfo
        {
            VideoId = job.Id,
            Model = job.Model,
            // The prompt the API recorded, so the hash in the credentials matches GET /v1/provenance.
            Prompt = job.Prompt ?? result.Metadata.Prompt,
            NegativePrompt = job.Parameters.NegativePrompt,
        };
        string comment = JsonSerializer.Serialize(result.Metadata, IO.Json.Options).ReplaceLineEndings(" ");
        if (job.Kind == JobKind.Image)
            return ProvenancePublisher.WriteImage(Path.Combine(folder, DataFolder.ImageFileName), result.Frames[0], info, provenance.Options(comment));
        var written = ProvenancePublisher.WriteVideo(Path.Combine(folder, DataFolder.VideoFileName), result.Frames, result.Fps, info, provenance.Options(comment));
        if (!written.ContentCredentials || !written.Path.EndsWith(DataFolder.VideoFileName, StringComparison.Ordinal))
            throw new InvalidOperationException($"could not write MP4 ({written.Notice}); the server needs ffmpeg with libx264");
        ImageFile.Write(Path.Combine(folder, DataFolder.ThumbnailFileName), result.Frames[result.Frames.Count / 2]);
        ImageFile.Write(Path.Combine(folder, DataFolder.SpritesheetFileName), Spritesheet(result.Frames));
        return written;
    }

    /// <summary>Up to <see cref="SpritesheetMaxFrames"/> evenly spaced frames, left to right and top to bottom.</summary>
    public static RgbFrame Spritesheet(IReadOnlyList<RgbFrame> frames)
    {
        int count = Math.Min(SpritesheetMaxFrames, frames.Count);
        int columns = Math.Min(SpritesheetColumns, count);
        int rows = (count + columns - 1) / columns;
        int w = frames[0].Width, h = frames[0].Height;
        var sheet = new RgbFrame(w * columns, h * rows);
        for (int i = 0; i < count; i++)
        {
            var frame = frames[count == 1 ? 0 : (int)Math.Round(i * (frames.Count - 1.0) / (count - 1))];
            int x0 = i % columns * w, y0 = i / columns * h;
            for (int y = 0; y < h; y++)
                Array.Copy(frame.Pixels, y * w * 3, sheet.Pixels, ((y0 + y) * sheet.Width + x0) * 3, w * 3);
        }
        return sheet;
    }
}
