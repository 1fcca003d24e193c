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
}
