using Kinema.Server.Auth;
using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// The <c>video</c> of an edit or extension: an upload, or <c>{"id": …}</c> of one of the caller's
/// completed videos. Either way a copy goes into the new job's input folder, so deleting or expiring the
/// source later cannot break a job that is still queued.
/// </summary>
public sealed record SourceVideo(string FileName, string? VideoId, int Width, int Height, double Fps, int FrameCount)
{
    private const string Param = "video";

    public static async Task<SourceVideo> Read(RequestFields fields, HttpContext context, VideoService service, Uploads uploads, DataFolder data, string jobId)
    {
        string folder = data.InputFolder(jobId);
        try
        {
            if (fields.File(Param) is { } file)
            {
                var bytes = await uploads.ReadAll(file, Param, long.MaxValue, context.RequestAborted);
                var stored = uploads.SaveVideo(bytes, Param, folder, "source");
                return new SourceVideo(stored.FileName, null, stored.Probe.Width, stored.Probe.Height, stored.Probe.Fps, stored.Probe.FrameCount);
            }
            if (!fields.IsObject(Param))
            {
                throw fields.Has(Param)
                    ? new ApiException(400, $"'{Param}' must be an uploaded video or an object {{\"id\": \"video_…\"}}", Param, "invalid_type")
                    : new ApiException(400, $"missing required parameter '{Param}' (an uploaded video or {{\"id\": \"video_…\"}})", Param, "missing_required_parameter");
            }
            var reference = fields.ObjectStrings(Param);
            if (!reference.TryGetValue("id", out var id) || reference.Count != 1)
                throw ApiException.BadRequest($"'{Param}' must be {{\"id\": \"video_…\"}}", Param);
            var source = service.FindCompletedSource(id, context.Owner(), Param);
            Directory.CreateDirectory(folder);
            string copy = Path.Combine(folder, "source.mp4");
            File.Copy(data.Asset(source.Id, DataFolder.VideoFileName), copy, overwrite: true);
            var probe = Uploads.ProbeVideo(copy, Param);
            return new SourceVideo("source.mp4", source.Id, probe.Width, probe.Height, probe.Fps, probe.FrameCount);
        }
        catch
        {
            DataFolder.DeleteQuietly(folder);
            throw;
        }
    }
}
