namespace Kinema.World;

/// <summary>Where one object is and how it looks at one instant.</summary>
public readonly record struct ObjectState(
    double X,
    double Y,
    double Radius,
    double Angle,
    bool FacingLeft,
    double GaitPhase,
    double HeightAboveGround);
