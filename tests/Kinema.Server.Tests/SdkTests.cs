using System.Text.Json;
using Kinema.Server.Tests.Support;

namespace Kinema.Server.Tests;

/// <summary>The official openai npm package against `kinema serve`: every /v1/videos operation it has.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SdkTests(SharedServer shared)
{
    private JsonElement Scenario(string name) => Node.RunScenario("sdk-scenarios.mjs", name, shared.NodeEnvironment());

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [NodeFact]
    public void Create_returns_a_queued_video_object_with_every_field()
    {
        var created = Scenario("create-and-download").GetProperty("created");
        Assert.StartsWith("video_", Str(created, "id"));
        Assert.Equal("video", Str(created, "object"));
        Assert.Equal("queued", Str(created, "status"));
        Assert.Equal("64x64", Str(created, "size"));
        Assert.Equal("1", Str(created, "seconds"));
        foreach (var field in new[] { "model", "progress", "created_at", "completed_at", "expires_at", "prompt", "remixed_from_video_id", "error" })
            Assert.True(created.TryGetProperty(field, out _), $"missing {field}");
    }

    [NodeFact]
    public void Retrieve_until_completed_honours_the_poll_hint_and_sets_completion_times()
    {
        var result = Scenario("create-and-download");
        var video = result.GetProperty("video");
        Assert.Equal("completed", Str(video, "status"));
        Assert.Equal(100, video.GetProperty("progress").GetInt32());
        Assert.True(video.GetProperty("completed_at").GetInt64() >= video.GetProperty("created_at").GetInt64());
        Assert.True(video.GetProperty("expires_at").GetInt64() > video.GetProperty("completed_at").GetInt64());
        Assert.Equal(["1000"], result.GetProperty("pollAfterMs").EnumerateArray().Select(e => e.GetString()));
    }

    [NodeFact]
    public void DownloadContent_serves_mp4_and_webp_thumbnail_and_spritesheet()
    {
        var variants = Scenario("create-and-download").GetProperty("variants");
        Assert.Equal("mp4", Str(variants.GetProperty("video"), "kind"));
        Assert.Equal("video/mp4", Str(variants.GetProperty("video"), "contentType"));
        foreach (var image in new[] { "thumbnail", "spritesheet" })
        {
            Assert.Equal("webp", Str(variants.GetProperty(image), "kind"));
            Assert.Equal("image/webp", Str(variants.GetProperty(image), "contentType"));
        }
    }

    [NodeFact]
    public void List_pages_with_after_cursor_until_has_more_is_false()
    {
        var result = Scenario("list-paging");
        var ids = result.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        var first = result.GetProperty("firstPage");
        Assert.Equal(2, first.GetProperty("count").GetInt32());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        // Auto-pagination (limit 2, newest first) must see the three new videos, newest first, each once.
        var seen = result.GetProperty("seen").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(Enumerable.Reverse(ids), seen.Take(3));
    }

    [NodeFact]
    public void Images_generate_returns_n_pngs_of_the_asked_size_that_are_not_listed_as_videos()
    {
        var result = Scenario("images-generate");
        Assert.Equal(2, result.GetProperty("count").GetInt32());
        Assert.Equal("64x64", Str(result, "size"));
        Assert.All(result.GetProperty("png").EnumerateArray(), e => Assert.True(e.GetBoolean()));
        Assert.All(result.GetProperty("widths").EnumerateArray().Concat(result.GetProperty("heights").EnumerateArray()), e => Assert.Equal(64, e.GetInt32()));
        Assert.Equal(0, result.GetProperty("imagesListedAsVideos").GetInt32());
    }

    [NodeFact]
    public void Images_generate_with_url_responses_is_a_400_that_says_images_come_back_inline()
    {
        var error = Scenario("images-url-refused").GetProperty("error");
        Assert.True(error.GetProperty("thrown").GetBoolean());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Contains("b64_json", Str(error, "message"));
    }

    [NodeFact]
    public void A_loop_posted_through_the_sdk_is_polled_and_downloaded_like_any_video()
    {
        var result = Scenario("loop-by-post");
        Assert.StartsWith("video_", Str(result.GetProperty("created"), "id"));
        Assert.Equal("completed", Str(result.GetProperty("video"), "status"));
        Assert.Equal("2", Str(result.GetProperty("video"), "seconds"));   // 16 frames at 8 fps: whole latent steps already
        Assert.Equal("mp4", Str(result.GetProperty("download"), "kind"));
    }

    [NodeFact]
    public void Remix_keeps_size_and_seconds_and_records_its_source()
    {
        var result = Scenario("remix");
        var source = result.GetProperty("source");
        var video = result.GetProperty("video");
        Assert.Equal("completed", Str(video, "status"));
        Assert.Equal(Str(source, "id"), Str(video, "remixed_from_video_id"));
        Assert.Equal(Str(source, "size"), Str(video, "size"));
        Assert.Equal(Str(source, "seconds"), Str(video, "seconds"));
        Assert.Equal("a blue ball on snow", Str(video, "prompt"));
    }

    [NodeFact]
    public void Edit_of_a_video_by_id_completes_at_the_source_size()
    {
        var result = Scenario("edit-by-id");
        Assert.Equal("completed", Str(result.GetProperty("video"), "status"));
        Assert.Equal(Str(result.GetProperty("source"), "size"), Str(result.GetProperty("video"), "size"));
    }

    [NodeFact]
    public void Edit_of_an_uploaded_video_completes()
    {
        var result = Scenario("edit-upload");
        Assert.Equal("completed", Str(result.GetProperty("video"), "status"));
        Assert.Equal("1", Str(result.GetProperty("video"), "seconds"));
    }

    [NodeFact]
    public void Extension_reports_the_stitched_total_duration()
    {
        var result = Scenario("extend");
        Assert.Equal("2", Str(result.GetProperty("extension"), "seconds"));
        Assert.Equal("completed", Str(result.GetProperty("video"), "status"));
        Assert.Equal("2", Str(result.GetProperty("video"), "seconds"));
        Assert.Equal("mp4", Str(result.GetProperty("download"), "kind"));
    }

    [NodeFact]
    public void Characters_are_created_from_a_clip_and_fetched_by_id()
    {
        var result = Scenario("characters");
        var created = result.GetProperty("created");
        Assert.StartsWith("char_", Str(created, "id"));
        Assert.Equal("Red Ball", Str(created, "name"));
        Assert.Equal(created.GetRawText(), result.GetProperty("fetched").GetRawText());
    }

    [NodeFact]
    public void Delete_returns_video_deleted_and_the_video_is_gone()
    {
        var result = Scenario("delete");
        var deleted = result.GetProperty("deleted");
        Assert.Equal("video.deleted", Str(deleted, "object"));
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(404, result.GetProperty("afterwards").GetProperty("status").GetInt32());
    }

    [NodeFact]
    public void Delete_of_a_queued_job_cancels_it()
    {
        var result = Scenario("delete-queued");
        Assert.True(result.GetProperty("deleted").GetProperty("deleted").GetBoolean());
        Assert.Equal("NotFoundError", Str(result.GetProperty("afterwards"), "name"));
    }

    [NodeFact]
    public void Input_reference_upload_animates_the_image()
    {
        Assert.Equal("completed", Str(Scenario("input-reference-upload").GetProperty("video"), "status"));
    }

    [NodeFact]
    public void Input_reference_as_base64_data_url_animates_the_image()
    {
        Assert.Equal("completed", Str(Scenario("input-reference-data-url").GetProperty("video"), "status"));
    }

    [NodeFact]
    public void Wrong_api_key_raises_the_sdks_authentication_error()
    {
        var error = Scenario("wrong-key").GetProperty("error");
        Assert.Equal(401, error.GetProperty("status").GetInt32());
        Assert.Equal("AuthenticationError", Str(error, "name"));
        Assert.Equal("invalid_api_key", Str(error, "code"));
    }

    [NodeFact]
    public void Another_key_gets_404_for_every_operation_and_sees_nothing_in_its_list()
    {
        var result = Scenario("other-key");
        foreach (var operation in new[] { "retrieve", "download", "remove" })
            Assert.Equal(404, result.GetProperty(operation).GetProperty("status").GetInt32());
        Assert.DoesNotContain(Str(result.GetProperty("stillThere"), "id"), result.GetProperty("otherListIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("completed", Str(result.GetProperty("stillThere"), "status"));
    }
}
