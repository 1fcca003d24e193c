using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinema.Wan.Schedulers;

/// <summary>
/// <c>scheduler/scheduler_config.json</c> of a Wan diffusers folder (<c>UniPCMultistepScheduler</c>).
/// Property names are the diffusers field names; fields missing from the file take the diffusers
/// constructor defaults. Only the flow-matching configuration Wan ships is supported; <see cref="Validate"/>
/// rejects the rest by name instead of silently sampling differently.
/// </summary>
public sealed record UniPCSchedulerConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "UniPCMultistepScheduler";
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; } = "0.35.0";
    [JsonPropertyName("num_train_timesteps")] public int NumTrainTimesteps { get; init; } = 1000;
    [JsonPropertyName("beta_start")] public double BetaStart { get; init; } = 0.0001;
    [JsonPropertyName("beta_end")] public double BetaEnd { get; init; } = 0.02;
    [JsonPropertyName("beta_schedule")] public string BetaSchedule { get; init; } = "linear";
    [JsonPropertyName("trained_betas")] public double[]? TrainedBetas { get; init; }
    /// <summary>Multistep order (Wan: 2).</summary>
    [JsonPropertyName("solver_order")] public int SolverOrder { get; init; } = 2;
    /// <summary>Must be "flow_prediction": the model predicts the velocity ε − x₀.</summary>
    [JsonPropertyName("prediction_type")] public string PredictionType { get; init; } = "flow_prediction";
    [JsonPropertyName("thresholding")] public bool Thresholding { get; init; }
    [JsonPropertyName("dynamic_thresholding_ratio")] public double DynamicThresholdingRatio { get; init; } = 0.995;
    [JsonPropertyName("sample_max_value")] public double SampleMaxValue { get; init; } = 1.0;
    /// <summary>Must be true: the solver works on data (x₀) predictions.</summary>
    [JsonPropertyName("predict_x0")] public bool PredictX0 { get; init; } = true;
    /// <summary>"bh2" (Wan) or "bh1": the B(h) function of UniPC.</summary>
    [JsonPropertyName("solver_type")] public string SolverType { get; init; } = "bh2";
    /// <summary>Drop to first order on the last steps (min(order, steps left)).</summary>
    [JsonPropertyName("lower_order_final")] public bool LowerOrderFinal { get; init; } = true;
    /// <summary>Step indices after which the UniC corrector is skipped.</summary>
    [JsonPropertyName("disable_corrector")] public int[] DisableCorrector { get; init; } = [];
    [JsonPropertyName("solver_p")] public JsonElement? SolverP { get; init; }
    [JsonPropertyName("use_karras_sigmas")] public bool UseKarrasSigmas { get; init; }
    [JsonPropertyName("use_exponential_sigmas")] public bool UseExponentialSigmas { get; init; }
    [JsonPropertyName("use_beta_sigmas")] public bool UseBetaSigmas { get; init; }
    /// <summary>Must be true: σ runs from 1 to 1/num_train_timesteps, shifted by <see cref="FlowShift"/>.</summary>
    [JsonPropertyName("use_flow_sigmas")] public bool UseFlowSigmas { get; init; } = true;
    /// <summary>σ' = sσ / (1 + (s − 1)σ). Wan 2.1 T2V diffusers folders ship 3.0, TI2V-5B 5.0.</summary>
    [JsonPropertyName("flow_shift")] public double FlowShift { get; init; } = 3.0;
    [JsonPropertyName("timestep_spacing")] public string TimestepSpacing { get; init; } = "linspace";
    [JsonPropertyName("steps_offset")] public int StepsOffset { get; init; }
    /// <summary>"zero" (Wan) or "sigma_min": the σ after the last step.</summary>
    [JsonPropertyName("final_sigmas_type")] public string FinalSigmasType { get; init; } = "zero";
    [JsonPropertyName("rescale_betas_zero_snr")] public bool RescaleBetasZeroSnr { get; init; }
    [JsonPropertyName("use_dynamic_shifting")] public bool UseDynamicShifting { get; init; }
    [JsonPropertyName("time_shift_type")] public string TimeShiftType { get; init; } = "exponential";
    [JsonPropertyName("shift_terminal")] public double? ShiftTerminal { get; init; }

    /// <summary>The Wan 2.1 T2V diffusers scheduler (flow_shift 3.0, as the conversion script writes it).</summary>
    public static UniPCSchedulerConfig Wan21 => new() { FlowShift = 3.0 };

    /// <summary>The Wan 2.2 TI2V-5B diffusers scheduler (flow_shift 5.0).</summary>
    public static UniPCSchedulerConfig Wan22TI2V => new() { FlowShift = 5.0 };

    /// <summary>Throws <see cref="NotSupportedException"/> naming the first setting this port does not implement.</summary>
    public void Validate()
    {
        static void Require(bool ok, string what)
        {
            if (!ok) throw new NotSupportedException($"scheduler config: {what}");
        }
        Require(ClassName == "UniPCMultistepScheduler", $"_class_name is '{ClassName}', expected 'UniPCMultistepScheduler'");
        Require(PredictionType == "flow_prediction", $"prediction_type '{PredictionType}' is not supported; Wan uses 'flow_prediction'");
        Require(UseFlowSigmas, "use_flow_sigmas must be true (Wan's flow-matching schedule)");
        Require(PredictX0, "predict_x0 must be true with flow_prediction");
        Require(SolverType is "bh1" or "bh2", $"solver_type '{SolverType}' is not supported; use 'bh2' or 'bh1'");
        Require(SolverOrder is >= 1 and <= 3, $"solver_order must be 1, 2 or 3, got {SolverOrder}");
        Require(FinalSigmasType is "zero" or "sigma_min", $"final_sigmas_type '{FinalSigmasType}' is not supported; use 'zero' or 'sigma_min'");
        Require(!Thresholding, "thresholding is not supported");
        Require(!UseKarrasSigmas && !UseExponentialSigmas && !UseBetaSigmas, "karras/exponential/beta sigmas are not supported with flow sigmas");
        Require(!UseDynamicShifting, "use_dynamic_shifting is not supported");
        Require(ShiftTerminal is null, "shift_terminal is not supported");
        Require(SolverP is null || SolverP.Value.ValueKind == JsonValueKind.Null, "solver_p (an external predictor) is not supported");
        Require(NumTrainTimesteps >= 1, $"num_train_timesteps must be >= 1, got {NumTrainTimesteps}");
        Require(FlowShift > 0, $"flow_shift must be > 0, got {FlowShift}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Reads and validates <c>scheduler_config.json</c>; errors name the file.</summary>
    public static UniPCSchedulerConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"scheduler config not found: '{path}'", path);
        UniPCSchedulerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<UniPCSchedulerConfig>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid UniPCMultistepScheduler config ({e.Message})", e);
        }
        if (config is null) throw new InvalidDataException($"{path}: the file holds JSON null, not a config object");
        try
        {
            config.Validate();
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"{path}: {e.Message}", e);
        }
        return config;
    }

    /// <summary>The config as diffusers writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
