namespace Kinema.Wan.Pipelines;

/// <summary>
/// What a Wan generation uses when the request leaves a setting out: the official defaults (wan-spec.md §5.3),
/// except the shift, which comes from the folder's <c>scheduler_config.json</c> as diffusers does.
/// </summary>
public sealed record WanDefaults(int Width, int Height, int Frames, int Fps, int Steps, double Guidance, double Shift, string NegativePrompt)
{
    /// <summary>
    /// Wan's default negative prompt (W21 shared_config <c>sample_neg_prompt</c>): "garish colours, overexposed, static,
    /// blurry details, subtitles, style, artwork, painting, still, grey overall, worst quality, low quality, JPEG
    /// artefacts, ugly, mutilated, extra fingers, badly drawn hands and faces, deformed, disfigured, malformed limbs,
    /// fused fingers, motionless frame, cluttered background, three legs, crowded background, walking backwards".
    /// The original pipeline uses it when none is given; diffusers uses "" instead.
    /// </summary>
    public const string DefaultNegativePrompt =
        "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，"
        + "画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";

    /// <summary>Wan 2.1 T2V: 832×480, 81 frames at 16 fps, 50 steps, guidance 5.</summary>
    public static WanDefaults Wan21(double shift) => new(832, 480, 81, 16, 50, 5.0, shift, DefaultNegativePrompt);

    /// <summary>Wan 2.2 TI2V-5B: 1280×704, 121 frames at 24 fps, 50 steps, guidance 5.</summary>
    public static WanDefaults Wan22(double shift) => new(1280, 704, 121, 24, 50, 5.0, shift, DefaultNegativePrompt);

    /// <summary>The default duration: <see cref="Frames"/> at <see cref="Fps"/>.</summary>
    public double Seconds => (double)Frames / Fps;
}
