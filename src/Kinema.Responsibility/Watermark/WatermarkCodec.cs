namespace Kinema.Responsibility.Watermark;

public static class WatermarkCodec
{
    public const string SchemeName = "kinema-wm-v1";
}
