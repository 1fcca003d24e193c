using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;

namespace Kinema.Core.Tests.Weights;

public class SafeTensorsFormatErrorTests
{
    private static readonly byte[] EightBytes = new byte[8];

    public SafeTensorsFormatErrorTests() => TorchRuntime.EnsureLoaded();

    private static SafeTensorsFormatException OpenFails(string path) =>
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path).Dispose());

    [Fact]
    public void Truncated_file_names_the_last_tensor_and_says_truncated()
    {
        using var folder = new WeightsFolder();
        string path = folder.File("model.safetensors");
        using var a = torch.ones(4);
        using var b = torch.ones(8);
        SafeTensors.Save(path, [new("blocks.0.a", a), new("blocks.0.b", b)]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        var error = OpenFails(path);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("'blocks.0.b'", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = folder.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Contains("shorter than the 8-byte header length", OpenFails(path).Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "long.safetensors", "{}", [], declaredHeaderLength: 1000);

        var error = OpenFails(path);
        Assert.Contains("long.safetensors", error.Message);
        Assert.Contains("header length 1000 is larger than the file", error.Message);
    }

    [Fact]
    public void Header_length_over_the_limit_is_rejected_without_reading_it()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "huge.safetensors", "{}", [], declaredHeaderLength: 1UL << 40);

        Assert.Contains("exceeds the", OpenFails(path).Message);
    }

    [Fact]
    public void Invalid_json_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "bad.safetensors", "{\"w\": {\"dtype\": ", []);

        var error = OpenFails(path);
        Assert.Contains("bad.safetensors", error.Message);
        Assert.Contains("not valid UTF-8 JSON", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = folder.File("utf.safetensors");
        byte[] bytes = HandBuilt.File("{\"w\":1}", []);
        bytes[10] = 0xFF; // inside the key
        File.WriteAllBytes(path, bytes);

        Assert.Contains("not valid UTF-8 JSON", OpenFails(path).Message);
    }

    [Fact]
    public void Overlapping_offsets_name_both_tensors()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "overlap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]);

        var error = OpenFails(path);
        Assert.Contains("'b'", error.Message);
        Assert.Contains("overlap tensor 'a'", error.Message);
    }

    [Fact]
    public void Byte_count_that_disagrees_with_the_shape_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "count.safetensors",
            "{\"blocks.0.q.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", EightBytes);

        var error = OpenFails(path);
        Assert.Contains("tensor 'blocks.0.q.weight' needs 16 bytes", error.Message);
        Assert.Contains("span 8", error.Message);
    }

    [Fact]
    public void End_before_begin_is_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "reverse.safetensors",
            "{\"r\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", EightBytes);

        Assert.Contains("'r' has data_offsets [8, 0] that end before they begin", OpenFails(path).Message);
    }

    [Fact]
    public void Unknown_dtype_lists_the_known_ones()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "dtype.safetensors",
            "{\"x\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,8]}}", EightBytes);

        var error = OpenFails(path);
        Assert.Contains("'x' has unknown dtype 'F128'", error.Message);
        Assert.Contains("BF16", error.Message);
    }

    [Fact]
    public void Bytes_between_tensors_are_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "gap.safetensors",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}", EightBytes);

        Assert.Contains("bytes [2, 6) between tensor 'a' and tensor 'b' belong to no tensor", OpenFails(path).Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_rejected()
    {
        using var folder = new WeightsFolder();
        string path = HandBuilt.Write(folder, "tail.safetensors",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", EightBytes);

        Assert.Contains("6 trailing bytes after tensor 'a'", OpenFails(path).Message);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        using var folder = new WeightsFolder();
        var error = Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open(folder.File("absent.safetensors")));
        Assert.Contains("absent.safetensors", error.Message);
    }
}
