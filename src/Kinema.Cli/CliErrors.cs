using Kinema.Runtime;

namespace Kinema.Cli;

/// <summary>Maps failures to exit codes and one clear line on stderr; no stack traces for user mistakes.</summary>
public static class CliErrors
{
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (KinemaBackendException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("KINEMA_DEBUG") == "1") Console.Error.WriteLine(e);
            return ExitCodes.RuntimeFailure;
        }
    }

    public static int Guard(Func<int> action) => Guard(() => Task.FromResult(action())).GetAwaiter().GetResult();

    /// <summary>Problems with what the user passed: arguments, requests, missing or malformed input files.</summary>
    private static bool IsBadInput(Exception e) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or FormatException or Weights.SafeTensorsFormatException or Weights.WeightMismatchException
        or Wan.Loading.WanCheckpointException or Wan.Tokenizer.TokenizerFormatException;
}
