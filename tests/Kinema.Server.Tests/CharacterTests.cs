using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kinema.Media;
using Kinema.Server.Tests.Support;
using Kinema.World;
using Microsoft.Data.Sqlite;

namespace Kinema.Server.Tests;

/// <summary>/v1/videos/characters: the reference clip is analysed, and prompts naming the character get its description.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class CharacterTests(SharedServer shared) : IDisposable
{
    private readonly HttpClient _alice = shared.Server.Client(SharedServer.AliceKey);
    private readonly HttpClient _bob = shared.Server.Client(SharedServer.BobKey);
    private readonly TempFolder _scratch = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _scratch.Dispose();
    }

    private async Task<JsonElement> CreateCharacter(HttpClient client, string name)
    {
        string clip = _scratch.File(Guid.NewGuid().ToString("N") + ".mp4");
        var scene = new Scene(3, Background.Meadow, TimeOfDay.Day, Weather.None, CameraMotion.Static,
            [new SceneObject(ShapeKind.Star, NamedColor.Red, ObjectSize.Large, MotionKind.Spin, Speed.Normal, 0.45, 0.5, 0)]);
        VideoFile.Write(clip, SceneRenderer.Render(scene, new RenderSettings { Width = 128, Height = 128, Fps = 8, Seconds = 2 }), new VideoWriteOptions { Fps = 8 });
        using var form = new MultipartFormDataContent
        {
            { new StringContent(name), "name" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(clip)) { Headers = { ContentType = new("video/mp4") } }, "video", "rex.mp4" },
        };
        var response = await client.PostAsync("/v1/videos/characters", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private string? ExpandedPrompt(string videoId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(shared.DataFolder, "kinema.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT parameters FROM videos WHERE id = $id";
        command.Parameters.AddWithValue("$id", videoId);
        var parameters = JsonDocument.Parse((string)command.ExecuteScalar()!).RootElement;
        return parameters.TryGetProperty("expanded_prompt", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    [Fact]
    public async Task A_character_gets_a_description_and_prompts_naming_it_are_expanded_for_its_owner_only()
    {
        string name = "Rex" + Guid.NewGuid().ToString("N")[..6];
        var created = await CreateCharacter(_alice, name);
        var appearance = created.GetProperty("kinema_appearance");
        Assert.Equal("a large red star", appearance.GetProperty("description").GetString());
        Assert.Equal("red", appearance.GetProperty("color").GetString());
        Assert.Equal("star", appearance.GetProperty("shape").GetString());
        var fetched = await _alice.GetFromJsonAsync<JsonElement>($"/v1/videos/characters/{created.GetProperty("id").GetString()}");
        Assert.Equal(created.GetRawText(), fetched.GetRawText());

        var video = await Videos.Create(_alice, $"{{\"prompt\": \"{name.ToLowerInvariant()} jumps in a meadow\", \"size\": \"64x64\"}}");
        Assert.Equal($"{name.ToLowerInvariant()} jumps in a meadow", video.GetProperty("prompt").GetString());   // the API shows what was asked
        Assert.Equal("a large red star jumps in a meadow", ExpandedPrompt(video.Id()));

        var bobs = await Videos.Create(_bob, $"{{\"prompt\": \"{name} jumps\", \"size\": \"64x64\"}}");
        Assert.Null(ExpandedPrompt(bobs.Id()));
        await Videos.WaitFinished(_alice, video.Id(), TimeSpan.FromMinutes(2));
    }
}
