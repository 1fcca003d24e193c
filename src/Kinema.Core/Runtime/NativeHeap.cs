using System.Runtime.InteropServices;

namespace Kinema.Runtime;

/// <summary>
/// Hands freed native memory back to the operating system. libtorch's CPU tensors come from malloc; glibc serves
/// blocks under its (self-raising, up to 32 MB) mmap threshold from heaps that it rarely shrinks, so a loop that frees
/// tens of megabytes of activations every step can still grow the process by hundreds of megabytes a step.
/// </summary>
public static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>glibc's <c>malloc_trim(0)</c>: releases free heap pages. A no-op where glibc is absent.</summary>
    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            malloc_trim(UIntPtr.Zero);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true; // musl and other C libraries: nothing to do
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(UIntPtr pad);
}
