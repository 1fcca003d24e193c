namespace Kinema.World;

/// <summary>
/// The camera's view of the stage over time. Pans and zooms ease out exponentially: they start at a
/// steady, readable rate and settle, so a long clip never loses the stage.
/// </summary>
public static class CameraPath
{
    public const double PanReach = 0.22;
    public const double ZoomReach = 0.3;
    public const double EaseSeconds = 3.5;

    /// <summary>Centre of the view in stage units and the zoom factor (1 = the stage fills the shorter side).</summary>
    public static (double CenterX, double CenterY, double Zoom) ViewAt(CameraMotion camera, double seconds)
    {
        double progress = 1 - Math.Exp(-seconds / EaseSeconds);
        double pan = PanReach * progress;
        return camera switch
        {
            CameraMotion.PanLeft => (0.5 - pan, 0.5, 1),
            CameraMotion.PanRight => (0.5 + pan, 0.5, 1),
            CameraMotion.PanUp => (0.5, 0.5 - pan, 1),
            CameraMotion.PanDown => (0.5, 0.5 + pan, 1),
            CameraMotion.ZoomIn => (0.5, 0.5, Math.Exp(ZoomReach * progress)),
            CameraMotion.ZoomOut => (0.5, 0.5, Math.Exp(-ZoomReach * progress)),
            _ => (0.5, 0.5, 1),
        };
    }
}
