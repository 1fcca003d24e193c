namespace Kinema.Wan.Transformer;

/// <summary>
/// The checkpoint keys and shapes of a <see cref="WanTransformer3D"/> for a config, in diffusers' state-dict
/// order, computed without building the model (a 14B model need not fit in memory to describe it).
/// A test keeps this in step with the module's own state dict.
/// </summary>
public static class WanTransformerLayout
{
    public static IEnumerable<(string Key, long[] Shape)> Tensors(WanTransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long d = config.InnerDim, ffn = config.FfnDim;
        var p = config.PatchSize;

        yield return ("scale_shift_table", [1, 2, d]);
        yield return ("patch_embedding.weight", [d, config.InChannels, p[0], p[1], p[2]]);
        yield return ("patch_embedding.bias", [d]);
        foreach (var item in Linear("condition_embedder.time_embedder.linear_1", config.FreqDim, d)) yield return item;
        foreach (var item in Linear("condition_embedder.time_embedder.linear_2", d, d)) yield return item;
        foreach (var item in Linear("condition_embedder.time_proj", d, 6 * d)) yield return item;
        foreach (var item in Linear("condition_embedder.text_embedder.linear_1", config.TextDim, d)) yield return item;
        foreach (var item in Linear("condition_embedder.text_embedder.linear_2", d, d)) yield return item;
        for (int i = 0; i < config.NumLayers; i++)
        {
            string block = $"blocks.{i}";
            yield return ($"{block}.scale_shift_table", [1, 6, d]);
            foreach (string attn in new[] { "attn1", "attn2" })
            {
                foreach (string proj in new[] { "to_q", "to_k", "to_v", "to_out.0" })
                    foreach (var item in Linear($"{block}.{attn}.{proj}", d, d)) yield return item;
                yield return ($"{block}.{attn}.norm_q.weight", [d]);
                yield return ($"{block}.{attn}.norm_k.weight", [d]);
            }
            if (config.CrossAttnNorm)
            {
                yield return ($"{block}.norm2.weight", [d]);
                yield return ($"{block}.norm2.bias", [d]);
            }
            foreach (var item in Linear($"{block}.ffn.net.0.proj", d, ffn)) yield return item;
            foreach (var item in Linear($"{block}.ffn.net.2", ffn, d)) yield return item;
        }
        foreach (var item in Linear("proj_out", d, (long)config.ResolvedOutChannels * config.PatchVolume)) yield return item;
    }

    /// <summary>Total parameter count.</summary>
    public static long ParameterCount(WanTransformerConfig config) =>
        Tensors(config).Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));

    private static IEnumerable<(string, long[])> Linear(string name, long inFeatures, long outFeatures)
    {
        yield return ($"{name}.weight", [outFeatures, inFeatures]);
        yield return ($"{name}.bias", [outFeatures]);
    }
}
