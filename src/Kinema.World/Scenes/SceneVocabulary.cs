namespace Kinema.World;

/// <summary>Where the scene takes place.</summary>
public enum Background { Meadow, Beach, Desert, SnowField, NightSky, CityStreet, IndoorRoom }

/// <summary>Light of the scene: sky colours, object tint and the length and strength of shadows.</summary>
public enum TimeOfDay { Day, Sunset, Night }

public enum Weather { None, Rain, Snow, Fog }

/// <summary>How the camera moves over the clip. Pans and zooms ease out so long clips keep the stage in view.</summary>
public enum CameraMotion { Static, PanLeft, PanRight, PanUp, PanDown, ZoomIn, ZoomOut }

public enum ShapeKind { Ball, Cube, Pyramid, Star, Ring, Person, Bird, Fish }

public enum NamedColor { Red, Orange, Yellow, Green, Cyan, Blue, Purple, Pink, Brown, White, Gray, Black }

public enum ObjectSize { Small, Medium, Large }

public enum MotionKind
{
    Still,
    MoveLeft, MoveRight, MoveUp, MoveDown, MoveUpLeft, MoveUpRight, MoveDownLeft, MoveDownRight,
    Bounce, Orbit, Spin, Grow, Shrink, Jump, Walk, Fly,
}

public enum Speed { Slow, Normal, Fast }

public static class MotionKindExtensions
{
    /// <summary>Unit direction (x right, y down) of a straight move, or (0, 0) for the other motions.</summary>
    public static (double X, double Y) MoveDirection(this MotionKind motion)
    {
        const double d = 0.7071067811865476;
        return motion switch
        {
            MotionKind.MoveLeft => (-1, 0),
            MotionKind.MoveRight => (1, 0),
            MotionKind.MoveUp => (0, -1),
            MotionKind.MoveDown => (0, 1),
            MotionKind.MoveUpLeft => (-d, -d),
            MotionKind.MoveUpRight => (d, -d),
            MotionKind.MoveDownLeft => (-d, d),
            MotionKind.MoveDownRight => (d, d),
            _ => (0, 0),
        };
    }

    public static bool IsStraightMove(this MotionKind motion) => motion.MoveDirection() != (0, 0);

    /// <summary>Bodies that the physics integrates (gravity, walls, collisions); the rest follow scripted paths.</summary>
    public static bool IsDynamic(this MotionKind motion) => motion.IsStraightMove() || motion == MotionKind.Bounce;

    /// <summary>Motions that keep the object standing on the ground line of its depth layer.</summary>
    public static bool IsGrounded(this MotionKind motion) => motion is MotionKind.Walk or MotionKind.Jump or MotionKind.Bounce;

    public static double Factor(this Speed speed) => speed switch
    {
        Speed.Slow => 0.6,
        Speed.Fast => 1.6,
        _ => 1.0,
    };
}
