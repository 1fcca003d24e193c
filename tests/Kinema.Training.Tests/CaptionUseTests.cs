using Kinema.Pipelines;
using Kinema.Text;
using Kinema.Training.Evaluation;
using static TorchSharp.torch;

namespace Kinema.Training.Tests;

/// <summary>`kinema eval captions`: whether a model's high-noise estimate depends on its prompt.</summary>
public sealed class CaptionUseTests
{
    private static KinemaModel Model()
    {
        var tokenizer = new WordTokenizer(CaptionVocabularyBuilder.Collect(50), ModelPresets.Tiny(1).TextEncoder.MaxLength);
        return KinemaModel.CreateRandom(ModelPresets.Tiny(tokenizer.Vocabulary.Count), tokenizer, seed: 2);
    }

    [Fact]
    public void A_model_whose_cross_attention_adds_nothing_shows_no_caption_use()
    {
        using var model = Model();   // fresh: every cross-attention output starts at zero
        var report = CaptionUseEvaluation.Run(model, images: 4, seed: 1, size: 64);
        Assert.Equal(report.ErrorOwnCaption, report.ErrorOtherCaption);
        Assert.Equal(0, report.CaptionGain);
    }

    [Fact]
    public void A_model_that_reads_its_prompt_changes_its_estimate_with_the_caption()
    {
        using var model = Model();
        using (no_grad())
            foreach (var p in model.Transformer.parameters()) p.add_(randn_like(p) * 0.1);
        var report = CaptionUseEvaluation.Run(model, images: 4, seed: 1, size: 64);
        Assert.NotEqual(report.ErrorOwnCaption, report.ErrorOtherCaption);
        Assert.True(report.PooledVariance > 0);
    }

    [Fact]
    public void One_image_is_refused_because_there_is_no_other_caption()
    {
        using var model = Model();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CaptionUseEvaluation.Run(model, images: 1, seed: 1));
        Assert.Contains("2 images", e.Message);
    }
}
