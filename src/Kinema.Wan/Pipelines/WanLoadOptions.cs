using Kinema.Wan.Vae;
using static TorchSharp.torch;

namespace Kinema.Wan.Pipelines;

/// <summary>How to run a Wan folder: device, dtypes and the memory switches.</summary>
public sealed record WanLoadOptions
{
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Weight and compute dtype of the transformer and the text encoder. Default: Float32 on the CPU (libtorch's CPU
    /// bf16 kernels are slow), BFloat16 on CUDA. The VAE always runs in Float32, as Wan's pipelines do.
    /// </summary>
    public ScalarType? ComputeType { get; init; }

    /// <summary>
    /// Dtype of the umT5 encoder alone (default: <see cref="ComputeType"/>). umT5-XXL is 22 GB in Float32 and 11 GB in
    /// BFloat16; on a CPU machine with less memory than that, BFloat16 here trades one slower encoder pass for half the memory.
    /// </summary>
    public ScalarType? TextEncoderType { get; init; }

    /// <summary>
    /// CPU only: the transformer's blocks keep their matmul weights in BFloat16 and each is converted to the compute dtype
    /// only for its own forward, which halves the resident transformer weights (Float32 compute) at the cost of one
    /// conversion per block and forward. Refused on CUDA (offloading to the GPU block by block is not implemented).
    /// </summary>
    public bool BlockOffload { get; init; }

    /// <summary>Decode the video in overlapping spatial tiles (diffusers' tiled decode) to bound VAE memory at large sizes; null: whole frames.</summary>
    public WanVaeTiling? VaeTiling { get; init; }
}
