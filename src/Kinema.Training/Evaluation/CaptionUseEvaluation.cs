using Kinema.Pipelines;
using Kinema.Runtime;
using Kinema.World;
using static TorchSharp.torch;

namespace Kinema.Training.Evaluation;

/// <summary>
/// How much a model's clean-image estimate at high noise depends on the prompt. With x_t almost pure noise,
/// the best estimate x0 = x_t − σ·v is the average scene the caption describes (its background, light and
/// colours), so a model that reads its prompt predicts a scene's coarse layout far better from its own caption
/// than from another scene's. Errors are measured on 8x8-pooled latents, where that layout lives.
/// </summary>
/// <param name="ErrorOwnCaption">Mean squared error of the pooled estimate with each image's own caption.</param>
/// <param name="ErrorOtherCaption">The same with the captions rotated by one image (every image gets another scene's caption).</param>
/// <param name="PooledVariance">Mean square of the pooled clean latents: the error of predicting zero.</param>
public sealed record CaptionUseReport(int Images, double Sigma, double ErrorOwnCaption, double ErrorOtherCaption, double PooledVariance)
{
    /// <summary>Share of the error that the right caption removes: 0 when the prompt is ignored.</summary>
    public double CaptionGain => ErrorOtherCaption > 0 ? 1 - ErrorOwnCaption / ErrorOtherCaption : 0;
}

public static class CaptionUseEvaluation
{
    public static CaptionUseReport Run(KinemaModel model, int images, int seed, double sigma = 0.99, int size = 128)
    {
        if (images < 2) throw new ArgumentOutOfRangeException(nameof(images), images, "needs at least 2 images to swap captions between");
        if (!(sigma > 0 && sigma <= 1)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be in (0, 1]");
        using var guard = inference_mode();
        using var scope = NewDisposeScope();
        var scenes = Enumerable.Range(0, images).Select(i => SceneSampler.Sample(seed + i, SplitName.Train)).ToList();
        var captions = scenes.Select((s, i) => CaptionGenerator.Generate(s, seed + i, SplitName.Train)).ToArray();
        var settings = new RenderSettings { Width = size, Height = size, Fps = 8, Seconds = 1 / 8.0, MaxDegreeOfParallelism = 1 };
        var frames = scenes.Select(s => SceneRenderer.Render(s, settings)[0]).ToList();
        var video = FrameConversion.ToTensor(frames).view(3, images, 1, size, size).permute(1, 0, 2, 3, 4).contiguous()
            .to(model.Device).to(model.ComputeType);
        var clean = model.Vae.Encode(video);
        using var generator = new Generator((ulong)seed, model.Device);
        var noise = randn(clean.shape, dtype: clean.dtype, device: clean.device, generator: generator);
        var noisy = clean.Times(1 - sigma).Plus(noise.Times(sigma));
        var timesteps = HeldScalars.Filled(new long[] { images }, (float)(sigma * 1000), clean.dtype, clean.device);
        var rotated = captions.Skip(1).Append(captions[0]).ToArray();

        var pooledClean = Pool(clean);
        double Error(string[] prompts)
        {
            var tokens = model.Tokenizer.EncodeBatch(prompts);
            var ids = tensor(tokens.Ids.Cast<long>().ToArray(), new long[] { images, tokens.Length }).to(model.Device);
            var mask = tensor(tokens.Mask.Cast<bool>().ToArray(), new long[] { images, tokens.Length }).to(model.Device);
            var context = model.TextEncoder.forward(ids, mask);
            var estimate = noisy - model.Transformer.Forward(noisy, timesteps, context, mask).Times(sigma);
            return MeanSquare(Pool(estimate) - pooledClean);
        }
        return new CaptionUseReport(images, sigma, Error(captions), Error(rotated),
            MeanSquare(pooledClean));
    }

    private static float MeanSquare(Tensor x) => x.Squared().mean().to(ScalarType.Float32).item<float>();

    private static Tensor Pool(Tensor latents)
    {
        long h = latents.shape[3], w = latents.shape[4];
        return nn.functional.adaptive_avg_pool3d(latents.to(ScalarType.Float32), new long[] { latents.shape[2], Math.Min(8, h), Math.Min(8, w) });
    }
}
