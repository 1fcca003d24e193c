using System.Text.Json.Serialization;

namespace Kinema.World;

/// <summary>
/// One character of a scene. Positions are stage units: the stage is the unit square that every render
/// shows whatever its aspect ratio, x to the right and y downwards. <see cref="Depth"/> 0 is the front
/// layer; bodies only collide with bodies of the same layer and pass in front of or behind the others.
/// </summary>
public sealed record SceneObject(
    ShapeKind Shape,
    NamedColor Color,
    ObjectSize Size,
    MotionKind Motion,
    Speed Speed,
    double X,
    double Y,
    int Depth)
{
    public const int DepthLayers = 4;

    /// <summary>Radius in stage units before any grow/shrink; articulated characters are drawn a bit larger so their limbs stay visible.</summary>
    [JsonIgnore]
    public double Radius
    {
        get
        {
            double radius = Size switch
            {
                ObjectSize.Small => 0.085,
                ObjectSize.Large => 0.15,
                _ => 0.115,
            };
            return Shape is ShapeKind.Person or ShapeKind.Bird or ShapeKind.Fish ? radius * 1.2 : radius;
        }
    }
}
