namespace Kinema.Media; internal static class MediaAssembly { }
