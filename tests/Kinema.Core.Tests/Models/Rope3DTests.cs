using Kinema.Models;
using Kinema.Runtime;
using static TorchSharp.torch;

namespace Kinema.Core.Tests.Models;

public class Rope3DTests
{
    public Rope3DTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(64, 12, 10, 10)]
    [InlineData(24, 4, 4, 4)]
    [InlineData(128, 22, 21, 21)]
    public void Head_pairs_are_split_between_frame_height_and_width(int headDim, int frame, int height, int width)
        => Assert.Equal((frame, height, width), Rope3D.PairSplit(headDim));

    [Fact]
    public void Rotation_preserves_vector_norms()
    {
        var (cos, sin) = Rope3D.Tables(24, 2L, 3L, 4L, 10000, CPU);
        using var x = randn(1, 2, 24, 24);
        using var rotated = Rope3D.Apply(x, cos, sin);
        Assert.True(x.pow(2).sum(-1).allclose(rotated.pow(2).sum(-1), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Scores_depend_only_on_relative_position()
    {
        // Shift every position by (3, 5, 7): all query-key dot products must stay the same.
        int headDim = 24;
        var (cosA, sinA) = Rope3D.Tables(headDim, arange(2), arange(3), arange(2), 10000, CPU);
        var (cosB, sinB) = Rope3D.Tables(headDim, arange(2) + 3, arange(3) + 5, arange(2) + 7, 10000, CPU);
        using var q = randn(1, 1, 12, headDim);
        using var k = randn(1, 1, 12, headDim);
        using var scoresA = Rope3D.Apply(q, cosA, sinA).matmul(Rope3D.Apply(k, cosA, sinA).transpose(-1, -2));
        using var scoresB = Rope3D.Apply(q, cosB, sinB).matmul(Rope3D.Apply(k, cosB, sinB).transpose(-1, -2));
        Assert.True(scoresA.allclose(scoresB, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Scores_change_when_only_one_token_moves()
    {
        int headDim = 24;
        var (cosA, sinA) = Rope3D.Tables(headDim, arange(2), arange(2), arange(2), 10000, CPU);
        var (cosB, sinB) = Rope3D.Tables(headDim, arange(2), tensor(new long[] { 0, 5 }), arange(2), 10000, CPU);
        using var q = randn(1, 1, 8, headDim);
        using var k = randn(1, 1, 8, headDim);
        using var scoresA = Rope3D.Apply(q, cosA, sinA).matmul(Rope3D.Apply(k, cosA, sinA).transpose(-1, -2));
        using var scoresB = Rope3D.Apply(q, cosB, sinB).matmul(Rope3D.Apply(k, cosB, sinB).transpose(-1, -2));
        Assert.False(scoresA.allclose(scoresB, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void Position_zero_is_the_identity()
    {
        var (cos, sin) = Rope3D.Tables(24, 1L, 1L, 1L, 10000, CPU);
        using var x = randn(1, 2, 1, 24);
        using var rotated = Rope3D.Apply(x, cos, sin);
        Assert.True(rotated.allclose(x, rtol: 0, atol: 1e-6));
    }
}
