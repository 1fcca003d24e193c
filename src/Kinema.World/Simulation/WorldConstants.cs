namespace Kinema.World;

/// <summary>Dimensions and rates of the toy world, in stage units (the stage is the unit square) and seconds.</summary>
public static class WorldConstants
{
    /// <summary>Where sky meets ground for the outdoor backgrounds (and the wall meets the floor indoors).</summary>
    public const double HorizonY = 0.46;

    /// <summary>Gravity at normal speed; the speed attribute scales time, so gravity scales with its square.</summary>
    public const double Gravity = 2.2;

    public const double GroundRestitution = 0.8;

    public const double StraightMoveSpeed = 0.2;
    public const double WalkSpeed = 0.12;
    public const double FlySpeed = 0.16;
    public const double OrbitRadius = 0.13;
    public const double OrbitAngularSpeed = 1.3;
    public const double SpinAngularSpeed = 2.4;
    public const double JumpHeight = 0.2;
    public const double JumpPeriod = 1.15;

    /// <summary>Limb and wing cycles per second at normal speed; slow enough to read at 8 fps.</summary>
    public const double GaitFrequency = 1.0;

    /// <summary>The y where objects of a depth layer rest; back layers stand higher on screen, as in perspective.</summary>
    public static double GroundLine(int depth) => 0.9 - 0.045 * depth;
}
