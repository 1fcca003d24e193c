using Kinema.Media;
using Kinema.World;

namespace Kinema.Training.Data;

/// <summary>
/// One sample: a caption, the scene it came from, and either its rendered pixels or, when a latent cache already
/// holds the clip, its latents (then <see cref="Frames"/> is empty: nothing was rendered).
/// </summary>
public sealed record TrainingSample(Scene Scene, string Caption, IReadOnlyList<RgbFrame> Frames, int SceneSeed = 0, CachedLatents? Latents = null);

/// <summary>A batch for one training step; every clip has the bucket's shape.</summary>
public sealed record TrainingBatch(long Step, ClipBucket Bucket, IReadOnlyList<TrainingSample> Samples);
