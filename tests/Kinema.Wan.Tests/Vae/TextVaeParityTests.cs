using System.Text.Json;
using Kinema.Wan.Tests.Parity;
using Kinema.Wan.TextEncoder;
using Kinema.Wan.Tokenizer;
using Kinema.Wan.Vae;
using Kinema.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Kinema.Wan.Tests.Vae;

/// <summary>
/// Parity with the reference Python code (transformers UMT5EncoderModel / PreTrainedTokenizerFast, diffusers
/// AutoencoderKLWan and WanPipeline._get_t5_prompt_embeds). The expected values are produced by
/// tools/wan-fixtures/make_text_vae_fixtures.py, never by this code (see WanParity for when they run).
/// </summary>
[Collection("torch")]
[Trait("Category", "WanParity")]
public sealed class TextVaeParityTests
{
    [WanParityFact("text_vae/tokenizer/tokenizer.json")]
    public void Tokenizer_ids_and_mask_match_hugging_face_tokenizers()
    {
        var tokenizer = UmT5Tokenizer.Load(TextVaeFixtures.Require("tokenizer/tokenizer.json"));
        using var cases = JsonDocument.Parse(File.ReadAllText(TextVaeFixtures.Require("tokenizer_cases.json")));
        int maxLength = cases.RootElement.GetProperty("max_length").GetInt32();
        string[] prompts = cases.RootElement.GetProperty("prompts").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string[] cleaned = cases.RootElement.GetProperty("cleaned").EnumerateArray().Select(e => e.GetString()!).ToArray();
        // Without ftfy the reference skips ftfy.fix_text, which CleanPrompt reproduces in part; compare only with it.
        if (cases.RootElement.GetProperty("ftfy").GetBoolean())
        {
            for (int i = 0; i < prompts.Length; i++) Assert.Equal(cleaned[i], UmT5Tokenizer.CleanPrompt(prompts[i]));
        }

        // Raw prompts through our cleaning, and the reference's cleaned strings with ours switched off: the second
        // isolates the tokenizer from the ftfy difference when the reference ran without ftfy.
        var fromPrompts = tokenizer.EncodeBatch(prompts, maxLength);
        var fromCleaned = tokenizer.EncodeBatch(cleaned, maxLength, clean: false);
        using var file = SafeTensorsFile.Open(TextVaeFixtures.Require("tokenizer_ids.safetensors"));
        using var scope = NewDisposeScope();
        var ids = file.Load("input_ids", ScalarType.Int64);
        var mask = file.Load("attention_mask", ScalarType.Int64);
        for (int i = 0; i < prompts.Length; i++)
        {
            foreach (var batch in new[] { fromCleaned, fromPrompts })
            {
                Assert.Equal(ids[i].data<long>().ToArray(), batch.Ids[i]);
                Assert.Equal(mask[i].data<long>().ToArray(), batch.Mask[i]);
            }
        }
    }

    /// <summary>The fixture comes from transformers' UMT5EncoderModel (make_text_vae_fixtures.py) or, where transformers
    /// is unavailable, from the official Wan 2.1 T5Encoder (make_umt5_fixture_wan.py); manifest.json says which.</summary>
    [WanParityFact("text_vae/text_encoder_io.safetensors")]
    public void Text_encoder_matches_reference_and_wan_context()
    {
        using var model = WanTextEncoder.LoadEncoder(TextVaeFixtures.Require("text_encoder"), ScalarType.Float32);
        using var file = SafeTensorsFile.Open(TextVaeFixtures.Require("text_encoder_io.safetensors"));
        using var scope = NewDisposeScope();
        var ids = file.Load("input_ids", ScalarType.Int64);
        var mask = file.Load("attention_mask", ScalarType.Int64);
        using (inference_mode())
        {
            var hidden = model.forward(ids, mask);
            AssertClose(file.Load("last_hidden_state"), hidden, 1e-4, "last_hidden_state");
        }

        // The ids come from the fixture, so any tokenizer will do here (the tokenizer has its own fixture and test).
        var tokenizerFolder = Directory.CreateTempSubdirectory("kinema-umt5-");
        UmT5Tokenizer tokenizer;
        try
        {
            TokenizerJsonWriter.Write(tokenizerFolder.FullName, vocabSize: model.Config.VocabSize);
            tokenizer = UmT5Tokenizer.Load(Path.Combine(tokenizerFolder.FullName, "tokenizer.json"));
        }
        finally { tokenizerFolder.Delete(recursive: true); }
        // Not disposed: it owns the same model as the using above.
        var encoder = new WanTextEncoder(tokenizer, model) { MaxLength = (int)ids.shape[1] };
        var batch = new TokenBatch(
            Enumerable.Range(0, (int)ids.shape[0]).Select(i => ids[i].data<long>().ToArray()).ToArray(),
            Enumerable.Range(0, (int)ids.shape[0]).Select(i => mask[i].data<long>().ToArray()).ToArray());
        AssertClose(file.Load("wan_context"), encoder.Encode(batch), 1e-4, "wan_context");
    }

    [WanParityTheory("text_vae/vae21_io.safetensors")]
    [InlineData("vae21")]
    [InlineData("vae22")]
    public void Vae_matches_diffusers(string name)
    {
        using var vae = AutoencoderKLWan.Load(TextVaeFixtures.Require(name));
        using var file = SafeTensorsFile.Open(TextVaeFixtures.Require(name + "_io.safetensors"));
        using var scope = NewDisposeScope();
        AssertClose(file.Load("mean"), vae.EncodeMean(file.Load("video")), 1e-4, name + " encode mean");
        AssertClose(file.Load("decoded"), vae.Decode(file.Load("latents")), 1e-4, name + " decode");
        // Tiles of 24 px every 16 px, as the generator's enable_tiling call.
        AssertClose(file.Load("decoded_tiled"), vae.Decode(file.Load("latents"), tiling: new WanVaeTiling(24, 24, 16, 16)), 1e-4, name + " tiled decode");
    }

    private static void AssertClose(Tensor expected, Tensor actual, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected.to(ScalarType.Float32) - actual.to(ScalarType.Float32)).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        Assert.True(diff <= atol * Math.Max(1.0, scale), $"{what}: max |difference| {diff:G4} exceeds {atol:G2} (max |expected| {scale:G4})");
    }
}
