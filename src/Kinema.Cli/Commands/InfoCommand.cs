using System.CommandLine;
using Kinema.Media;
using Kinema.Pipelines;
using Kinema.Runtime;

namespace Kinema.Cli.Commands;

/// <summary><c>kinema info</c>: backend, devices, threads, versions, ffmpeg and installed models.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show devices, threads, TorchSharp/libtorch versions and the models found");
        command.SetAction(_ => CliErrors.Guard(() =>
        {
            var backend = TorchRuntime.Describe();
            Console.WriteLine($"kinema        {typeof(InfoCommand).Assembly.GetName().Version}");
            Console.WriteLine($"TorchSharp    {backend.TorchSharpVersion}");
            Console.WriteLine($"libtorch      {backend.LibTorchVersion}");
            Console.WriteLine($"devices       cpu{(backend.CudaAvailable ? $", cuda x{backend.CudaDeviceCount}" : " (CUDA not available)")}");
            Console.WriteLine($"threads       {backend.Threads} (of {Environment.ProcessorCount} logical cores)");
            Console.WriteLine($"native libs   {backend.NativeLibraryFolder}");
            Console.WriteLine($"ffmpeg        {Ffmpeg.Locate() ?? "not found (videos fall back to GIF; apt-get install ffmpeg for MP4)"}");
            string? defaultModel = null;
            try { defaultModel = Path.GetFullPath(ModelLocator.Resolve(null)); } catch (FileNotFoundException) { }
            var models = ModelLocator.FindInstalled();
            Console.WriteLine($"models        {(models.Count == 0 ? "none found" : "")}");
            foreach (var folder in models)
            {
                string name = Path.GetFileName(folder);
                try
                {
                    var config = ModelConfig.Load(Path.Combine(folder, ModelConfig.FileName));
                    name = $"{config.Name} ({config.Defaults.Width}x{config.Defaults.Height}, {config.Defaults.Fps} fps)";
                }
                catch (InvalidDataException e)
                {
                    name += $" (unreadable: {e.Message})";
                }
                string marker = folder == defaultModel ? "* " : "  ";
                Console.WriteLine($"  {marker}{name}  {folder}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
