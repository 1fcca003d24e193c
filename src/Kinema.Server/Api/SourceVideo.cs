using Kinema.Server.Auth;
using Kinema.Server.Jobs;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// A source video of an edit, extension or connection (the <c>video</c> field; a connection's <c>first</c> and
/// <c>second</c>): an upload, or <c>{"id": …}</c> of one of the caller's completed videos. Either way a copy goes
/// into the new job's input folder, so deleting or expiring the source later cannot break a job that is still queued.
/// </summary>
public sealed record SourceVideo(string FileName, string? VideoId, int Width, int Height, double Fps, int FrameCount)
{
    /// <summary>Reads field <paramref name="param"/> and stores the video in the job's input folder as <paramref name="stem"/> plus its extension.</summary>
    public static async Task<SourceVideo> Read(RequestFields fields, HttpContext context, VideoService service, Uploads uploads, DataFolder data, string jobId,
        string param = "video", string stem = "source")
    {
        string folder = data.InputFolder(jobId);
        try
        {
            if (fields.File(param) is { } file)
            {
                var bytes = await uploads.ReadAll(file, param, long.MaxValue, context.RequestAborted);
                var stored = uploads.SaveVideo(bytes, param, folder, stem);
                return new SourceVideo(stored.FileName, null, stored.Probe.Width, stored.Probe.Height, stored.Probe.Fps, stored.Probe.FrameCount);
            }
            if (!fields.IsObject(param))
            {
                throw fields.Has(param)
                    ? new ApiException(400, $"'{param}' must be an uploaded video or an object {{\"id\": \"video_…\"}}", param, "invalid_type")
                    : new ApiException(400, $"missing required parameter '{param}' (an uploaded video or {{\"id\": \"video_…\"}})", param, "missing_required_parameter");
            }
            var reference = fields.ObjectStrings(param);
            if (!reference.TryGetValue("id", out var id) || reference.Count != 1)
                throw ApiException.BadRequest($"'{param}' must be {{\"id\": \"video_…\"}}", param);
            var source = service.FindCompletedSource(id, context.Owner(), param);
            return Copy(source, data, jobId, param, stem);
        }
        catch
        {
            DataFolder.DeleteQuietly(folder);
            throw;
        }
    }

    /// <summary>Copies the video of one of the caller's completed jobs (already checked) into the new job's input folder.</summary>
    public static SourceVideo Copy(VideoJob source, DataFolder data, string jobId, string param, string stem = "source")
    {
        string folder = data.InputFolder(jobId);
        Directory.CreateDirectory(folder);
        string name = stem + ".mp4";
        string copy = Path.Combine(folder, name);
        File.Copy(data.Asset(source.Id, DataFolder.VideoFileName), copy, overwrite: true);
        var probe = Uploads.ProbeVideo(copy, param);
        return new SourceVideo(name, source.Id, probe.Width, probe.Height, probe.Fps, probe.FrameCount);
    }
}
