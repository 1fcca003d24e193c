using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;

namespace Kinema.Core.Tests.Weights;

public class SafeTensorsRoundTripTests
{
    public SafeTensorsRoundTripTests() => TorchRuntime.EnsureLoaded();

    private static torch.Tensor Sample(torch.ScalarType dtype)
    {
        using var values = torch.tensor(new float[] { 0f, -0f, 1.5f, -2.25f, 3.0e4f, 1e-3f, 65504f, -7f, 100f, 0.1f, 42f, -1f }).reshape(3, 4);
        return dtype switch
        {
            torch.ScalarType.Int64 => torch.tensor(new long[] { long.MinValue, long.MaxValue, 0, -1, 1, 1L << 40 }).reshape(2, 3),
            torch.ScalarType.Bool => torch.tensor(new[] { true, false, false, true }),
            _ => values.to(dtype),
        };
    }

    [Theory]
    [InlineData(torch.ScalarType.Float64)]
    [InlineData(torch.ScalarType.Float32)]
    [InlineData(torch.ScalarType.Float16)]
    [InlineData(torch.ScalarType.BFloat16)]
    [InlineData(torch.ScalarType.Int64)]
    [InlineData(torch.ScalarType.Int32)]
    [InlineData(torch.ScalarType.Int16)]
    [InlineData(torch.ScalarType.Int8)]
    [InlineData(torch.ScalarType.Byte)]
    [InlineData(torch.ScalarType.Bool)]
    public void Values_round_trip_bit_exact(torch.ScalarType dtype)
    {
        using var folder = new WeightsFolder();
        using var original = Sample(dtype);
        SafeTensors.Save(folder.File("t.safetensors"), [new("x", original)]);

        using var file = SafeTensorsFile.Open(folder.File("t.safetensors"));
        using var loaded = file.Load("x");

        Assert.Equal(dtype, loaded.dtype);
        Assert.Equal(original.shape, loaded.shape);
        Assert.Equal(original.bytes.ToArray(), loaded.bytes.ToArray());
    }

    [Fact]
    public void Metadata_round_trips()
    {
        using var folder = new WeightsFolder();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["config"] = "{\"dim\": 64, \"name\": \"ünïcode + <tags>\"}" };
        using var t = torch.zeros(2);
        SafeTensors.Save(folder.File("m.safetensors"), [new("t", t)], metadata);

        using var file = SafeTensorsFile.Open(folder.File("m.safetensors"));

        Assert.Equal(metadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void Writer_output_matches_a_hand_built_reference_byte_for_byte()
    {
        using var folder = new WeightsFolder();
        // Header per the spec: 85 bytes of JSON padded with 3 spaces to 88, then two little-endian floats.
        byte[] reference = HandBuilt.File(
            "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ",
            [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0]);
        using var w = torch.tensor(new[] { 1.0f, -2.5f });

        SafeTensors.Save(folder.File("w.safetensors"), [new("w", w)], new Dictionary<string, string> { ["format"] = "pt" });

        Assert.Equal(reference, File.ReadAllBytes(folder.File("w.safetensors")));
    }

    [Fact]
    public void Reader_loads_a_hand_built_file()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "h.safetensors",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0]);

        using var file = SafeTensorsFile.Open(path);
        using var w = file.Load("w");

        Assert.Equal(new[] { 1.0f, -2.5f }, w.data<float>().ToArray());
    }

    [Fact]
    public void Keys_are_written_in_sorted_order()
    {
        using var folder = new WeightsFolder();
        using var a = torch.ones(1);
        using var b = torch.ones(2);
        SafeTensors.Save(folder.File("s.safetensors"), [new("zeta", a), new("alpha", b)]);

        using var file = SafeTensorsFile.Open(folder.File("s.safetensors"));

        Assert.Equal(0, file.Entries["alpha"].Begin);
        Assert.Equal(8, file.Entries["zeta"].Begin);
    }

    [Fact]
    public void A_non_contiguous_tensor_is_saved_with_its_logical_values()
    {
        using var folder = new WeightsFolder();
        using var matrix = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var transposed = matrix.t();
        SafeTensors.Save(folder.File("t.safetensors"), [new("t", transposed)]);

        using var file = SafeTensorsFile.Open(folder.File("t.safetensors"));
        using var loaded = file.Load("t");

        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, loaded.data<float>().ToArray());
    }

    [Fact]
    public void Load_converts_to_the_requested_dtype()
    {
        using var folder = new WeightsFolder();
        using var half = torch.tensor(new[] { 0.5f, -3f }).to(torch.float16);
        SafeTensors.Save(folder.File("h.safetensors"), [new("h", half)]);

        using var file = SafeTensorsFile.Open(folder.File("h.safetensors"));
        using var loaded = file.Load("h", torch.ScalarType.Float32);

        Assert.Equal(torch.ScalarType.Float32, loaded.dtype);
        Assert.Equal(new[] { 0.5f, -3f }, loaded.data<float>().ToArray());
    }

    [Fact]
    public void Loading_an_absent_name_says_which_file()
    {
        using var folder = new WeightsFolder();
        using var t = torch.ones(1);
        SafeTensors.Save(folder.File("one.safetensors"), [new("t", t)]);
        using var file = SafeTensorsFile.Open(folder.File("one.safetensors"));

        var error = Assert.Throws<KeyNotFoundException>(() => file.Load("nope"));
        Assert.Contains("one.safetensors", error.Message);
        Assert.Contains("'nope'", error.Message);
    }

    [Fact]
    public void Save_leaves_no_temporary_file()
    {
        using var folder = new WeightsFolder();
        using var t = torch.ones(3);
        SafeTensors.Save(folder.File("x.safetensors"), [new("t", t)]);

        Assert.Equal(["x.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_rejects_duplicate_names()
    {
        using var folder = new WeightsFolder();
        using var t = torch.ones(1);

        var error = Assert.Throws<ArgumentException>(() => SafeTensors.Save(folder.File("d.safetensors"), [new("t", t), new("t", t)]));
        Assert.Contains("'t' is given twice", error.Message);
    }
}
