using Kinema.Runtime;
using TorchSharp;

namespace Kinema.Core.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharp_loads_and_computes_from_a_fresh_build()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var product = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void Describe_reports_the_libtorch_version()
    {
        var info = TorchRuntime.Describe();
        Assert.StartsWith("2.", info.LibTorchVersion);
        Assert.True(info.Threads >= 1);
    }

    [Fact]
    public void Unknown_device_names_the_allowed_values()
    {
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Contains("cpu, cuda", e.Message);
    }
}
