namespace Kinema.Server.Storage;

public sealed record Character(string Id, string Owner, string Name, long CreatedAt, string VideoFile);

/// <summary>Characters: a name and the reference clip it was made from, per owner.</summary>
public sealed class CharacterStore(Database database)
{
    public void Insert(Character character)
    {
        using var write = database.OpenWrite();
        var connection = write.Connection;
        Database.Execute(connection, "INSERT INTO characters (id, owner, name, created_at, video_file) VALUES ($id, $owner, $name, $created, $file)", null,
            ("$id", character.Id), ("$owner", character.Owner), ("$name", character.Name), ("$created", character.CreatedAt), ("$file", character.VideoFile));
    }

    public Character? Get(string id, string owner)
    {
        using var connection = database.Open();
        using var command = Database.Command(connection, "SELECT id, owner, name, created_at, video_file FROM characters WHERE id = $id AND owner = $owner", null,
            ("$id", id), ("$owner", owner));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Character(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)) : null;
    }
}
