using Kinema.Media;
using Kinema.World;

namespace Kinema.Training.Data;

/// <summary>One rendered sample: pixels, a caption and the scene it came from.</summary>
public sealed record TrainingSample(Scene Scene, string Caption, IReadOnlyList<RgbFrame> Frames);

/// <summary>A batch for one training step; every clip has the bucket's shape.</summary>
public sealed record TrainingBatch(long Step, ClipBucket Bucket, IReadOnlyList<TrainingSample> Samples);
