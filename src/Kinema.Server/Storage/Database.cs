using Microsoft.Data.Sqlite;

namespace Kinema.Server.Storage;

/// <summary>
/// The SQLite file that holds jobs, characters and webhook deliveries. Connections are opened per
/// operation (they are not thread-safe; the pool makes opening cheap); WAL lets readers run while a
/// worker writes, and the busy timeout turns brief writer contention into a wait instead of an error.
/// </summary>
public sealed class Database
{
    /// <summary>1: the first schema. 2: videos.watermark_payload (the 16 hex digits an output's pixels carry).</summary>
    private const int SchemaVersion = 2;

    public Database(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    private readonly object _writeLock = new();

    /// <summary>
    /// A connection for a statement that writes. SQLite has one writer at a time; taking turns here
    /// instead of in SQLite avoids its busy-retry sleeps, which turned a burst of creates into
    /// second-long waits.
    /// </summary>
    public WriteConnection OpenWrite()
    {
        Monitor.Enter(_writeLock);
        try
        {
            return new WriteConnection(Open(), _writeLock);
        }
        catch
        {
            Monitor.Exit(_writeLock);
            throw;
        }
    }

    public sealed class WriteConnection(SqliteConnection connection, object writeLock) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public void Dispose()
        {
            Connection.Dispose();
            Monitor.Exit(writeLock);
        }
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Creates the tables on first use; refuses a file written by a newer schema rather than misreading it.</summary>
    public void Migrate()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode = 'wal';");
        long version = (long)(Scalar(connection, "PRAGMA user_version;") ?? 0L);
        if (version > SchemaVersion)
            throw new InvalidDataException($"{Path} was written by a newer Kinema (schema {version}; this build reads up to {SchemaVersion})");
        if (version == SchemaVersion) return;
        using var transaction = connection.BeginTransaction();
        if (version < 1) CreateVersion1(connection, transaction);
        // Version 2. Checked column by column, so a file that an interrupted or concurrent start already
        // altered (or one whose user_version was lost) is upgraded rather than failing on a duplicate column.
        if (!HasColumn(connection, transaction, "videos", "watermark_payload"))
            Execute(connection, "ALTER TABLE videos ADD COLUMN watermark_payload TEXT;", transaction);
        Execute(connection, "CREATE INDEX IF NOT EXISTS videos_watermark_payload ON videos(watermark_payload);", transaction);
        Execute(connection, $"PRAGMA user_version = {SchemaVersion};", transaction);
        transaction.Commit();
    }

    private static bool HasColumn(SqliteConnection connection, SqliteTransaction transaction, string table, string column)
    {
        using var command = Command(connection, $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column", transaction, ("$column", column));
        return (long)(command.ExecuteScalar() ?? 0L) > 0;
    }

    private static void CreateVersion1(SqliteConnection connection, SqliteTransaction transaction)
    {
        Execute(connection, """
            CREATE TABLE videos (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                owner TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                progress INTEGER NOT NULL DEFAULT 0,
                model TEXT NOT NULL,
                prompt TEXT,
                size TEXT NOT NULL,
                seconds TEXT NOT NULL,
                remixed_from_video_id TEXT,
                source_video_id TEXT,
                parameters TEXT NOT NULL,
                error_code TEXT,
                error_message TEXT,
                created_at INTEGER NOT NULL,
                started_at INTEGER,
                completed_at INTEGER,
                expires_at INTEGER,
                generation_seconds REAL,
                assets_deleted INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX videos_owner_seq ON videos(owner, seq);
            CREATE INDEX videos_status_seq ON videos(status, seq);
            CREATE TABLE characters (
                id TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                video_file TEXT NOT NULL
            );
            CREATE TABLE webhook_deliveries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                url TEXT NOT NULL,
                body TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                state TEXT NOT NULL,
                last_error TEXT
            );
            CREATE INDEX webhook_due ON webhook_deliveries(state, next_attempt_at);
            """, transaction);
    }

    internal static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, null, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    internal static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
