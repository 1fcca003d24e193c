using Kinema.Media;

namespace Kinema.World;

/// <summary>Encodes frames to H.264 MP4 and decodes them again, to see what a lossy codec does to the judge.</summary>
public static class CodecRoundTrip
{
    public static RgbFrame[] H264(RgbFrame[] frames, double fps, int crf)
    {
        string directory = Path.Combine(Path.GetTempPath(), "kinema-roundtrip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "clip.mp4");
            var written = VideoFile.Write(path, frames, new VideoWriteOptions { Fps = fps, Crf = crf });
            if (written.Format != VideoContainer.Mp4)
                throw new MediaException($"H.264 is unavailable (the writer fell back to {written.Format}): {written.Notice}");
            return VideoFile.Read(written.Path).Frames.ToArray();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static (string Name, Func<RgbFrame[], double, RgbFrame[]> RoundTrip) H264Condition(int crf = 23) =>
        ($"ground truth, H.264 CRF {crf}", (frames, fps) => H264(frames, fps, crf));
}
