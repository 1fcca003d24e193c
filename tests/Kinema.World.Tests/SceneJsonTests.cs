namespace Kinema.World.Tests;

public class SceneJsonTests
{
    [Fact]
    public void Scenes_survive_a_JSON_round_trip()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var scene = SceneSampler.Sample(seed);
            Assert.Equal(scene, SceneJson.Parse(SceneJson.Serialize(scene)));
        }
    }

    [Fact]
    public void Enum_values_are_written_in_kebab_case()
    {
        string json = SceneJson.Serialize(TestScenes.Base with { Camera = CameraMotion.PanLeft });
        Assert.Contains("\"pan-left\"", json);
        Assert.Contains("\"move-right\"", json);
        Assert.DoesNotContain("radius", json);
    }

    [Fact]
    public void An_unknown_value_is_refused_with_a_message_naming_it()
    {
        string json = SceneJson.Serialize(TestScenes.Base).Replace("\"meadow\"", "\"moon\"");
        var error = Assert.Throws<SceneFormatException>(() => SceneJson.Parse(json));
        Assert.Contains("background", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Positions_outside_the_stage_are_refused()
    {
        string json = SceneJson.Serialize(TestScenes.Base).Replace("\"x\": 0.3", "\"x\": 1.7");
        var error = Assert.Throws<SceneFormatException>(() => SceneJson.Parse(json));
        Assert.Contains("objects[0].x", error.Message);
    }

    [Fact]
    public void Too_many_objects_are_refused()
    {
        var crowded = TestScenes.Base with { Objects = Enumerable.Repeat(TestScenes.Cube, 5).ToArray() };
        var error = Assert.Throws<SceneFormatException>(() => SceneJson.Parse(SceneJson.Serialize(crowded)));
        Assert.Contains("1 to 4", error.Message);
    }

    [Fact]
    public void Malformed_JSON_is_a_scene_format_error()
    {
        Assert.Throws<SceneFormatException>(() => SceneJson.Parse("{ \"seed\": "));
    }
}
