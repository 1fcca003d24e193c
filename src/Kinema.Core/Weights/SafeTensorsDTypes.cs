using TorchSharp;

namespace Kinema.Weights;

/// <summary>The safetensors dtype names, their element sizes, and which map to a TorchSharp scalar type.</summary>
internal static class SafeTensorsDTypes
{
    // Every dtype the format defines is accepted in a header (so such files can still be listed);
    // only those with a TorchSharp scalar type can be loaded.
    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1,
        ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1, ["C64"] = 8,
    };

    private static readonly Dictionary<string, torch.ScalarType> Torch = new(StringComparer.Ordinal)
    {
        ["F64"] = torch.ScalarType.Float64, ["F32"] = torch.ScalarType.Float32,
        ["F16"] = torch.ScalarType.Float16, ["BF16"] = torch.ScalarType.BFloat16,
        ["I64"] = torch.ScalarType.Int64, ["I32"] = torch.ScalarType.Int32,
        ["I16"] = torch.ScalarType.Int16, ["I8"] = torch.ScalarType.Int8,
        ["U8"] = torch.ScalarType.Byte, ["BOOL"] = torch.ScalarType.Bool,
        ["C64"] = torch.ScalarType.ComplexFloat32,
    };

    public static string KnownNames => string.Join(", ", Sizes.Keys);

    public static string LoadableNames => string.Join(", ", Torch.Keys);

    public static bool TryGetSize(string dtype, out int size) => Sizes.TryGetValue(dtype, out size);

    public static bool TryGetScalarType(string dtype, out torch.ScalarType type) => Torch.TryGetValue(dtype, out type);

    public static string? NameOf(torch.ScalarType type)
    {
        foreach (var (name, scalar) in Torch)
        {
            if (scalar == type) return name;
        }
        return null;
    }

    public static int ElementSize(torch.ScalarType type) =>
        TryGetSize(NameOf(type) ?? throw new ArgumentException($"safetensors cannot store {type}"), out int size) ? size : 0;

    public static bool IsFloating(string dtype) => dtype is "F64" or "F32" or "F16" or "BF16";

    public static bool IsFloating(torch.ScalarType type) =>
        type is torch.ScalarType.Float64 or torch.ScalarType.Float32 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16;
}
