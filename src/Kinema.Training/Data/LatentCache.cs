using System.Text.Json;
using Kinema.IO;
using Kinema.Models;
using Kinema.World;

namespace Kinema.Training.Data;

/// <summary>One clip as stage 2 sees it: the frozen VAE's normalised latent mean and which latent voxels encode objects.</summary>
public sealed record CachedLatents(long[] Shape, float[] Values, byte[] ObjectMask)
{
    /// <summary>Latent voxels per channel (frames x height x width): the object mask's length.</summary>
    public long VoxelsPerChannel => Shape[1] * Shape[2] * Shape[3];
}

/// <summary>
/// Latents of toy-world clips, encoded once by the frozen stage-1 VAE and read back whenever the same clip comes up
/// again. On a CPU, encoding a 17-frame clip costs about as much as the transformer's forward and backward pass on it,
/// so a run that draws its scenes from a fixed pool (<see cref="TrainingOptions.ScenePool"/>) trains up to twice as
/// fast once the pool has been seen. One file per (bucket, scene seed), written atomically; a manifest names the VAE,
/// frame rate and split the latents belong to, so a cache is never read by a run it does not fit.
/// </summary>
public sealed class LatentCache
{
    public const string ManifestFile = "manifest.json";
    private const uint Magic = 0x3143_4C4B;   // "KLC1"

    public string Folder { get; }

    private LatentCache(string folder) => Folder = folder;

    /// <summary>Opens (or starts) the cache in <paramref name="folder"/> for latents of <paramref name="vae"/> at <paramref name="fps"/>.</summary>
    public static LatentCache Open(string folder, VideoVaeConfig vae, double fps, SplitName split)
    {
        Directory.CreateDirectory(folder);
        var manifest = new Manifest(1, vae.LatentChannels, vae.SpatialCompression, vae.TemporalCompression, vae.LatentsMean, vae.LatentsStd, fps, split.ToString(), WorldFingerprint(split));
        string path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(manifest, Json.Options));
            return new LatentCache(folder);
        }
        Manifest? saved;
        try { saved = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Json.Options); }
        catch (JsonException e) { throw new InvalidDataException($"latent cache {folder}: {ManifestFile} is not valid JSON ({e.Message}); remove the folder or choose another"); }
        string? mismatch = saved is null ? "an empty manifest" : manifest.DifferenceFrom(saved);
        if (mismatch is not null)
            throw new InvalidDataException($"latent cache {folder} holds latents of {mismatch}; use another --latent-cache folder for this run");
        return new LatentCache(folder);
    }

    private string EntryPath(ClipBucket bucket, int sceneSeed) => Path.Combine(Folder, $"{bucket.Width}x{bucket.Height}x{bucket.Frames}", $"{sceneSeed:D10}.latent");

    /// <summary>The clip's cached latents, or null when it has none yet, or an unreadable one (a cut-short write is re-encoded).</summary>
    public CachedLatents? TryRead(ClipBucket bucket, int sceneSeed)
    {
        string path = EntryPath(bucket, sceneSeed);
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadUInt32() != Magic) return null;
            var shape = new long[4];
            for (int i = 0; i < 4; i++) shape[i] = reader.ReadInt64();
            long count = shape[0] * shape[1] * shape[2] * shape[3], voxels = shape[1] * shape[2] * shape[3];
            if (shape.Any(d => d < 1) || reader.BaseStream.Length != 4 + 32 + 4 * count + voxels) return null;
            var values = new float[count];
            reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            var mask = reader.ReadBytes((int)voxels);
            return new CachedLatents(shape, values, mask);
        }
        catch (IOException) { return null; }
    }

    public void Write(ClipBucket bucket, int sceneSeed, CachedLatents latents)
    {
        if (latents.Shape.Length != 4 || latents.Values.Length != latents.Shape.Aggregate(1L, (a, d) => a * d) || latents.ObjectMask.Length != latents.VoxelsPerChannel)
            throw new ArgumentException("latents must be (channels, frames, height, width) with one mask byte per voxel");
        string path = EntryPath(bucket, sceneSeed);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, temp =>
        {
            using var writer = new BinaryWriter(File.Create(temp));
            writer.Write(Magic);
            foreach (var d in latents.Shape) writer.Write(d);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(latents.Values.AsSpan()));
            writer.Write(latents.ObjectMask);
        });
    }

    /// <summary>
    /// A hash of one small reference render: the toy world has no version number, and a change to how it draws would
    /// otherwise leave latents of clips that are no longer rendered that way.
    /// </summary>
    internal static string WorldFingerprint(SplitName split)
    {
        var settings = new RenderSettings { Width = 64, Height = 64, Fps = 8, Seconds = 5 / 8.0, MaxDegreeOfParallelism = 1 };
        var frames = SceneRenderer.Render(SceneSampler.Sample(12345, split), settings);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var frame in frames) hash.AppendData(frame.Pixels);
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    /// <summary>
    /// What makes latents comparable: the encoder's latent space (its statistics stand for its weights), the frame rate,
    /// the split, and the renderer.
    /// </summary>
    private sealed record Manifest(int Format, int LatentChannels, int SpatialCompression, int TemporalCompression, float[] LatentsMean, float[] LatentsStd,
        double Fps, string Split, string World)
    {
        public string? DifferenceFrom(Manifest saved) =>
            saved.Format != Format ? $"format {saved.Format}, this build writes {Format}"
            : saved.LatentChannels != LatentChannels || saved.SpatialCompression != SpatialCompression || saved.TemporalCompression != TemporalCompression
                ? $"a VAE with {saved.LatentChannels} channels and compression {saved.SpatialCompression}x{saved.TemporalCompression} (space x time), this run's has {LatentChannels} and {SpatialCompression}x{TemporalCompression}"
            : !saved.LatentsMean.SequenceEqual(LatentsMean) || !saved.LatentsStd.SequenceEqual(LatentsStd) ? "another VAE (other latent statistics: a different encoder)"
            : saved.Fps != Fps ? $"clips at {saved.Fps} fps, this run renders {Fps}"
            : saved.Split != Split ? $"the {saved.Split} split, this run trains on {Split}"
            : saved.World != World ? "clips from another version of the toy world's renderer"
            : null;
    }
}
