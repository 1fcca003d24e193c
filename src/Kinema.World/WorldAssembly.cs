namespace Kinema.World; internal static class WorldAssembly { }
