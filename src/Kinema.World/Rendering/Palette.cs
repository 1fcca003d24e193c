namespace Kinema.World;

/// <summary>Colours of the named object colours and how the scene's light and weather change them.</summary>
public static class Palette
{
    public static Rgb Base(NamedColor color) => color switch
    {
        NamedColor.Red => new(222, 38, 38),
        NamedColor.Orange => new(250, 140, 25),
        NamedColor.Yellow => new(250, 224, 40),
        NamedColor.Green => new(40, 170, 55),
        NamedColor.Cyan => new(40, 215, 225),
        NamedColor.Blue => new(35, 70, 225),
        NamedColor.Purple => new(135, 55, 205),
        NamedColor.Pink => new(252, 125, 195),
        NamedColor.Brown => new(125, 75, 35),
        NamedColor.White => new(248, 248, 248),
        NamedColor.Gray => new(128, 128, 128),
        NamedColor.Black => new(22, 22, 22),
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "unknown colour"),
    };

    /// <summary>Tint of object surfaces; night keeps objects brighter than the background so they stay readable.</summary>
    public static Rgb ObjectLight(TimeOfDay time) => time switch
    {
        TimeOfDay.Sunset => new(1.0f, 0.86f, 0.74f),
        TimeOfDay.Night => new(0.62f, 0.66f, 0.86f),
        _ => new(1f, 1f, 1f),
    };

    /// <summary>Tint of the ground and scenery.</summary>
    public static Rgb SceneryLight(TimeOfDay time) => time switch
    {
        TimeOfDay.Sunset => new(1.0f, 0.8f, 0.66f),
        TimeOfDay.Night => new(0.32f, 0.36f, 0.55f),
        _ => new(1f, 1f, 1f),
    };

    public static Rgb FogColor(TimeOfDay time) => time switch
    {
        TimeOfDay.Sunset => new(218, 182, 160),
        TimeOfDay.Night => new(72, 80, 98),
        _ => new(208, 212, 218),
    };

    /// <summary>How much fog veils objects (the background is veiled more, as it is further away).</summary>
    public const float FogOnObjects = 0.3f;
    public const float FogOnScenery = 0.55f;

    /// <summary>The colour a flat object of <paramref name="color"/> shows on screen in this scene: the colour the judge looks for.</summary>
    public static Rgb Apparent(NamedColor color, TimeOfDay time, Weather weather)
    {
        var lit = Base(color) * ObjectLight(time);
        if (weather == Weather.Rain) lit *= 0.9f;
        if (weather == Weather.Fog) lit = lit.Lerp(FogColor(time), FogOnObjects);
        return lit;
    }

    /// <summary>Outline colour: a darker shade so same-coloured neighbours stay separate and shapes read against any background.</summary>
    public static Rgb Outline(Rgb fill) => fill.Luma < 40 ? new Rgb(fill.R * 0.5f + 60, fill.G * 0.5f + 60, fill.B * 0.5f + 60) : fill * 0.45f;
}
