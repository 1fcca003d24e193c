using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Runtime;

public class HeldScalarsTests
{
    public HeldScalarsTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Times_plus_and_clamp_match_the_plain_operators()
    {
        using var x = tensor(new float[] { -2f, -0.5f, 0f, 0.25f, 3f });
        using var times = x.Times(-1.5);
        using var plus = x.Plus(1);
        using var clamped = x.ClampTo(-1, 1);
        Assert.Equal(new float[] { 3f, 0.75f, -0f, -0.375f, -4.5f }, times.data<float>().ToArray());
        Assert.Equal(new float[] { -1f, 0.5f, 1f, 1.25f, 4f }, plus.data<float>().ToArray());
        Assert.Equal(new float[] { -1f, -0.5f, 0f, 0.25f, 1f }, clamped.data<float>().ToArray());
    }

    [Fact]
    public void The_result_keeps_the_tensor_dtype()
    {
        using var x = ones(3, dtype: ScalarType.BFloat16);
        using var y = x.Times(0.5);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
    }

    [Fact]
    public void Squared_multiplies_each_element_by_itself()
    {
        using var x = tensor(new float[] { -3f, -0.5f, 0f, 2f });
        using var squared = x.Squared();
        Assert.Equal(new float[] { 9f, 0.25f, 0f, 4f }, squared.data<float>().ToArray());
    }

    [Fact]
    public void No_source_file_calls_torchsharp_square()
    {
        // TorchSharp's square() is pow(2) with an implicit Scalar that the GC can finalise while libtorch reads it:
        // it stopped a training run three times in one session ("Unknown scalar type" inside THSTensor_pow_scalar).
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Kinema.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var offenders = Directory.EnumerateFiles(Path.Combine(root.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => x.line.Contains(".square()"))
            .Select(x => $"{Path.GetRelativePath(root.FullName, x.f)}:{x.i + 1}")
            .ToList();
        Assert.True(offenders.Count == 0, "use Squared() (Kinema.Runtime.HeldScalars) instead of square() at: " + string.Join(", ", offenders));
    }
}
