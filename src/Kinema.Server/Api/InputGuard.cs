using Kinema.Server.Storage;

namespace Kinema.Server.Api;

/// <summary>
/// Runs the part of a request that comes after its inputs are stored: when it throws (the request is refused after all),
/// the job's input folder goes too, so a refused request leaves nothing behind.
/// </summary>
internal static class InputGuard
{
    public static T Run<T>(DataFolder data, string id, Func<T> accept)
    {
        try
        {
            return accept();
        }
        catch
        {
            DataFolder.DeleteQuietly(data.InputFolder(id));
            throw;
        }
    }

    public static async Task<T> RunAsync<T>(DataFolder data, string id, Func<Task<T>> accept)
    {
        try
        {
            return await accept();
        }
        catch
        {
            DataFolder.DeleteQuietly(data.InputFolder(id));
            throw;
        }
    }
}
