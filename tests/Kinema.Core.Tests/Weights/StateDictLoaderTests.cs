using Kinema.Runtime;
using Kinema.Weights;
using TorchSharp;

namespace Kinema.Core.Tests.Weights;

public class StateDictLoaderTests
{
    public StateDictLoaderTests() => TorchRuntime.EnsureLoaded();

    private static torch.nn.Module<torch.Tensor, torch.Tensor> Model(int hidden = 3) =>
        torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.Linear(hidden, 2));

    private static string Save(WeightsFolder folder, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, string name = "ckpt.safetensors")
    {
        string path = folder.File(name);
        SafeTensors.Save(path, tensors);
        return path;
    }

    private static Dictionary<string, byte[]> Snapshot(torch.nn.Module module) =>
        module.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.bytes.ToArray());

    [Fact]
    public void Matching_checkpoint_loads_exact_values()
    {
        using var folder = new WeightsFolder();
        using var source = Model();
        string path = Save(folder, source.state_dict());
        using var target = Model();

        using (var checkpoint = ShardedSafeTensors.Open(path)) StateDictLoader.Load(target, checkpoint, "transformer");

        Assert.Equal(Snapshot(source), Snapshot(target));
    }

    [Fact]
    public void Loaded_parameters_remain_usable_after_the_load()
    {
        using var folder = new WeightsFolder();
        using var source = Model();
        string path = Save(folder, source.state_dict());
        using var target = Model();
        using (var checkpoint = ShardedSafeTensors.Open(path)) StateDictLoader.Load(target, checkpoint, "transformer");

        using var input = torch.ones(1, 4);
        using var expected = source.forward(input);
        using var actual = target.forward(input);

        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void Half_precision_checkpoint_is_converted_to_the_parameter_dtype()
    {
        using var folder = new WeightsFolder();
        using var source = Model();
        var halves = source.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.to(torch.bfloat16));
        string path = Save(folder, halves);
        using var target = Model();

        using (var checkpoint = ShardedSafeTensors.Open(path)) StateDictLoader.Load(target, checkpoint, "transformer");

        var loaded = target.state_dict();
        Assert.Equal(torch.ScalarType.Float32, loaded["0.weight"].dtype);
        Assert.Equal(halves["0.weight"].to(torch.float32).data<float>().ToArray(), loaded["0.weight"].data<float>().ToArray());
    }

    [Fact]
    public void Wrong_shape_names_the_key_and_both_shapes()
    {
        using var folder = new WeightsFolder();
        using var wider = Model(hidden: 5);
        string path = Save(folder, wider.state_dict());
        using var target = Model(hidden: 3);

        using var checkpoint = ShardedSafeTensors.Open(path);
        var error = Assert.Throws<WeightMismatchException>(() => StateDictLoader.Load(target, checkpoint, "transformer"));

        Assert.Contains("component 'transformer': key '0.weight' has shape [5, 4] in the checkpoint but the config expects [3, 4]", error.Message);
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_listed_and_nothing_is_copied()
    {
        using var folder = new WeightsFolder();
        using var source = Model();
        var tensors = source.state_dict().Where(pair => pair.Key != "1.bias").ToDictionary();
        using var extra = torch.zeros(2);
        tensors["head.scale"] = extra;
        string path = Save(folder, tensors);
        using var target = Model();
        var before = Snapshot(target);

        using var checkpoint = ShardedSafeTensors.Open(path);
        var error = Assert.Throws<WeightMismatchException>(() => StateDictLoader.Load(target, checkpoint, "vae"));

        Assert.Equal(["1.bias"], error.MissingKeys);
        Assert.Equal(["head.scale"], error.UnexpectedKeys);
        Assert.Contains("1.bias", error.Message);
        Assert.Contains("head.scale", error.Message);
        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void Integer_checkpoint_for_a_floating_parameter_is_a_mismatch()
    {
        using var folder = new WeightsFolder();
        using var source = Model();
        var tensors = source.state_dict().ToDictionary(pair => pair.Key, pair => pair.Key == "0.bias" ? pair.Value.to(torch.int64) : pair.Value);
        string path = Save(folder, tensors);
        using var target = Model();

        using var checkpoint = ShardedSafeTensors.Open(path);
        var error = Assert.Throws<WeightMismatchException>(() => StateDictLoader.Load(target, checkpoint, "transformer"));

        Assert.Contains("key '0.bias' is I64 in the checkpoint but the model holds Float32", error.Message);
    }
}
