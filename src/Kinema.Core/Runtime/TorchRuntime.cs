using System.Runtime.InteropServices;
using TorchSharp;

namespace Kinema.Runtime;

/// <summary>What the loaded native backend can do, as reported by <see cref="TorchRuntime.Describe"/>.</summary>
public sealed record BackendInfo(
    string TorchSharpVersion,
    string LibTorchVersion,
    bool CudaAvailable,
    int CudaDeviceCount,
    int Threads,
    string NativeLibraryFolder);

/// <summary>
/// The single place that touches TorchSharp's native loading. It turns the loader's misleading
/// message ("doesn't contain a reference to libtorch-cpu-linux-x64") into one that names the
/// real cause, and resolves device names.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _loaded;

    /// <summary>Loads libtorch once, or throws <see cref="KinemaBackendException"/> saying why it could not.</summary>
    public static void EnsureLoaded()
    {
        if (_loaded) return;
        lock (Gate)
        {
            if (_loaded) return;
            try
            {
                _ = torch.__version__;
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
            {
                throw new KinemaBackendException(ExplainLoadFailure(e), e);
            }
            _loaded = true;
        }
    }

    /// <summary>Versions, devices and threads of the loaded backend.</summary>
    public static BackendInfo Describe()
    {
        EnsureLoaded();
        bool cuda = torch.cuda.is_available();
        return new BackendInfo(
            typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            torch.__version__,
            cuda,
            cuda ? torch.cuda.device_count() : 0,
            torch.get_num_threads(),
            NativeFolder());
    }

    /// <summary>Parses "cpu", "cuda" or "cuda:N"; fails with the allowed values when the device is unknown or absent.</summary>
    public static torch.Device ResolveDevice(string? name)
    {
        EnsureLoaded();
        string value = string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        if (value == "cpu") return torch.CPU;
        if (value == "cuda" || value.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{name}' was asked for but CUDA is not available in this build of libtorch (TorchSharp-cpu); use --device cpu");
            int index = value == "cuda" ? 0 : int.Parse(value[5..]);
            if (index < 0 || index >= torch.cuda.device_count())
                throw new ArgumentException($"device '{name}' does not exist: {torch.cuda.device_count()} CUDA device(s) found");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{name}'; allowed: cpu, cuda, cuda:N");
    }

    private static string NativeFolder()
    {
        string baseDir = AppContext.BaseDirectory;
        string nested = Path.Combine(baseDir, "runtimes", "linux-x64", "native");
        return Directory.Exists(nested) ? nested : baseDir;
    }

    private static string ExplainLoadFailure(Exception e)
    {
        string folder = NativeFolder();
        string bridge = Path.Combine(folder, "libLibTorchSharp.so");
        if (OperatingSystem.IsLinux() && File.Exists(bridge))
        {
            // Ask the dynamic loader directly: its message names the missing library or symbol version.
            IntPtr handle = NativeLibrary.TryLoad(bridge, out var h) ? h : IntPtr.Zero;
            if (handle == IntPtr.Zero)
            {
                string detail = DlError() ?? "unknown dynamic loader error";
                string hint = detail.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal)
                    ? " This libstdc++ predates GCC 13; rebuild with 'dotnet build' so build/glibcxx-compat/ensure.sh patches the bridge (needs patchelf, g++, python3)."
                    : string.Empty;
                return $"libtorch could not be loaded from {folder}: {detail}.{hint}";
            }
        }
        return $"libtorch could not be loaded ({e.GetBaseException().Message}); looked in {folder}";
    }

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern IntPtr dlerror();

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen(string file, int mode);

    private static string? DlError()
    {
        string bridge = Path.Combine(NativeFolder(), "libLibTorchSharp.so");
        const int RTLD_NOW = 2;
        if (dlopen(bridge, RTLD_NOW) != IntPtr.Zero) return null;
        IntPtr message = dlerror();
        return message == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(message);
    }
}

/// <summary>The native backend (libtorch) could not be loaded or lacks a requested capability.</summary>
public sealed class KinemaBackendException(string message, Exception? inner = null) : Exception(message, inner);
