namespace Kinema.World;

/// <summary>Stateless, platform-independent pseudo-random numbers: the same (seed, key) gives the same value everywhere, in any thread order.</summary>
internal static class SeededHash
{
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A double in [0, 1) for the given seed, stream and index.</summary>
    public static double Unit(int seed, int stream, long index)
    {
        ulong h = Mix(Mix((ulong)(uint)seed ^ ((ulong)(uint)stream << 32)) ^ (ulong)index);
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
