using Kinema.Server.Jobs;
using Kinema.Server.Storage;
using Kinema.Server.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Kinema.Server.Tests;

/// <summary>A job database written before the provenance layer (schema 1) is upgraded in place, keeping its jobs.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_schema_1_database_gains_the_watermark_column_and_keeps_its_jobs()
    {
        string path = _folder.File("kinema.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The videos table exactly as schema 1 created it, with one finished job.
            command.CommandText = """
                CREATE TABLE videos (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, kind TEXT NOT NULL,
                    status TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0, model TEXT NOT NULL, prompt TEXT, size TEXT NOT NULL,
                    seconds TEXT NOT NULL, remixed_from_video_id TEXT, source_video_id TEXT, parameters TEXT NOT NULL, error_code TEXT,
                    error_message TEXT, created_at INTEGER NOT NULL, started_at INTEGER, completed_at INTEGER, expires_at INTEGER,
                    generation_seconds REAL, assets_deleted INTEGER NOT NULL DEFAULT 0);
                INSERT INTO videos (id, owner, kind, status, progress, model, prompt, size, seconds, parameters, created_at, completed_at)
                VALUES ('video_0123456789abcdef0123456789abcdef', '', 'text_to_video', 'completed', 100, 'm', 'old one', '64x64', '1', '{}', 1, 2);
                INSERT INTO videos (id, owner, kind, status, model, prompt, size, seconds, parameters, created_at)
                VALUES ('video_fedcba9876543210fedcba9876543210', '', 'text_to_video', 'in_progress', 'm', 'running', '64x64', '1', '{}', 3);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        var database = new Database(path);
        database.Migrate();
        database.Migrate();                                                  // idempotent
        var store = new VideoStore(database);
        var old = store.GetAnyOwner("video_0123456789abcdef0123456789abcdef");
        Assert.NotNull(old);
        Assert.Equal("old one", old.Prompt);
        Assert.Null(old.WatermarkPayload);

        Assert.True(store.Complete("video_fedcba9876543210fedcba9876543210", "1", 4, 5, 0.5, "00112233aabbccdd"));
        Assert.Equal("video_fedcba9876543210fedcba9876543210", store.GetByWatermark("00112233aabbccdd", "")?.Id);
        Assert.Null(store.GetByWatermark("00112233aabbccdd", "key_someone_else"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
