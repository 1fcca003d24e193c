namespace Kinema.World;

/// <summary>
/// Words and phrases for every attribute value. The first entry is the plain word; the others are
/// synonyms and paraphrases. Entries containing a <see cref="WorldSplit.HeldOutWords"/> word only
/// appear in held-out captions.
/// </summary>
public static class CaptionVocabulary
{
    public static IReadOnlyList<string> Color(NamedColor color) => color switch
    {
        NamedColor.Red => ["red", "crimson", "scarlet", "cherry-red"],
        NamedColor.Orange => ["orange", "tangerine", "bright orange"],
        NamedColor.Yellow => ["yellow", "golden", "lemon-yellow"],
        NamedColor.Green => ["green", "emerald", "grass-green"],
        NamedColor.Cyan => ["cyan", "turquoise", "aqua"],
        NamedColor.Blue => ["blue", "azure", "cobalt", "royal blue"],
        NamedColor.Purple => ["purple", "violet", "plum"],
        NamedColor.Pink => ["pink", "rose-pink", "bubblegum pink"],
        NamedColor.Brown => ["brown", "chocolate", "chestnut"],
        NamedColor.White => ["white", "snow-white", "ivory"],
        NamedColor.Gray => ["gray", "grey", "silver"],
        _ => ["black", "jet-black", "charcoal"],
    };

    /// <summary>Singular and plural forms.</summary>
    public static IReadOnlyList<(string One, string Many)> Shape(ShapeKind shape) => shape switch
    {
        ShapeKind.Ball => [("ball", "balls"), ("sphere", "spheres"), ("orb", "orbs")],
        ShapeKind.Cube => [("cube", "cubes"), ("box", "boxes"), ("block", "blocks")],
        ShapeKind.Pyramid => [("pyramid", "pyramids"), ("triangle", "triangles")],
        ShapeKind.Star => [("star", "stars"), ("star shape", "star shapes")],
        ShapeKind.Ring => [("ring", "rings"), ("hoop", "hoops"), ("donut", "donuts")],
        ShapeKind.Person => [("person", "people"), ("stick figure", "stick figures"), ("figure", "figures")],
        ShapeKind.Bird => [("bird", "birds"), ("songbird", "songbirds")],
        _ => [("fish", "fish"), ("fish", "fishes")],
    };

    public static IReadOnlyList<string> Size(ObjectSize size) => size switch
    {
        ObjectSize.Small => ["small", "little", "tiny"],
        ObjectSize.Large => ["large", "big", "huge"],
        _ => ["medium-sized", "mid-sized", "average-sized"],
    };

    /// <summary>Verb phrases for one subject and for several; {dir} is replaced by the walking or flying direction.</summary>
    public static IReadOnlyList<(string One, string Many)> Motion(MotionKind motion) => motion switch
    {
        MotionKind.Still => [("stays still", "stay still"), ("sits motionless", "sit motionless"), ("rests in place", "rest in place")],
        MotionKind.MoveLeft => [("moves to the left", "move to the left"), ("slides left", "slide left"), ("glides to the left", "glide to the left"), ("drifts leftward", "drift leftward")],
        MotionKind.MoveRight => [("moves to the right", "move to the right"), ("slides right", "slide right"), ("glides to the right", "glide to the right"), ("drifts rightward", "drift rightward")],
        MotionKind.MoveUp => [("moves up", "move up"), ("rises upward", "rise upward"), ("floats up", "float up")],
        MotionKind.MoveDown => [("moves down", "move down"), ("sinks downward", "sink downward"), ("descends", "descend")],
        MotionKind.MoveUpLeft => [("moves up and to the left", "move up and to the left"), ("drifts diagonally up-left", "drift diagonally up-left")],
        MotionKind.MoveUpRight => [("moves up and to the right", "move up and to the right"), ("drifts diagonally up-right", "drift diagonally up-right")],
        MotionKind.MoveDownLeft => [("moves down and to the left", "move down and to the left"), ("drifts diagonally down-left", "drift diagonally down-left")],
        MotionKind.MoveDownRight => [("moves down and to the right", "move down and to the right"), ("drifts diagonally down-right", "drift diagonally down-right")],
        MotionKind.Bounce => [("bounces", "bounce"), ("bounces on the ground", "bounce on the ground"), ("tumbles and bounces", "tumble and bounce"), ("drops and bounces", "drop and bounce")],
        MotionKind.Orbit => [("orbits in a circle", "orbit in circles"), ("circles around", "circle around"), ("goes round in a loop", "go round in loops")],
        MotionKind.Spin => [("spins", "spin"), ("rotates in place", "rotate in place"), ("twirls around", "twirl around")],
        MotionKind.Grow => [("grows", "grow"), ("gets bigger", "get bigger"), ("expands", "expand")],
        MotionKind.Shrink => [("shrinks", "shrink"), ("gets smaller", "get smaller"), ("contracts", "contract")],
        MotionKind.Jump => [("jumps", "jump"), ("hops up and down", "hop up and down"), ("leaps into the air", "leap into the air")],
        MotionKind.Walk => [("walks to the {dir}", "walk to the {dir}"), ("strolls {dir}ward", "stroll {dir}ward"), ("walks across toward the {dir}", "walk across toward the {dir}")],
        _ => [("flies to the {dir}", "fly to the {dir}"), ("flaps its wings and flies {dir}", "flap their wings and fly {dir}"), ("soars {dir}ward", "soar {dir}ward")],
    };

    public static IReadOnlyList<string> Speed(Speed speed) => speed switch
    {
        World.Speed.Slow => ["slowly", "gently", "leisurely"],
        World.Speed.Fast => ["quickly", "fast", "rapidly"],
        _ => ["steadily", "at an even pace", "at a normal pace"],
    };

    public static IReadOnlyList<string> Background(Background background) => background switch
    {
        World.Background.Meadow => ["a grassy meadow", "a green field under the sky", "a meadow of grass"],
        World.Background.Beach => ["a sandy beach by the sea", "a beach", "the seaside"],
        World.Background.Desert => ["a desert", "desert sand dunes", "a sandy desert"],
        World.Background.SnowField => ["a snowy field", "a snow field", "a snow-covered plain"],
        World.Background.NightSky => ["a starry night sky", "a night sky full of stars", "a sky of stars over dark hills"],
        World.Background.CityStreet => ["a city street", "an urban street", "a street in town"],
        _ => ["a room", "an indoor room", "a cozy living room"],
    };

    public static IReadOnlyList<string> TimeOfDay(TimeOfDay time) => time switch
    {
        World.TimeOfDay.Sunset => ["at sunset", "at dusk", "in the evening glow", "as the sun sets"],
        World.TimeOfDay.Night => ["at night", "at nighttime", "in the dark of night"],
        _ => ["during the day", "in daylight", "in broad daylight"],
    };

    public static IReadOnlyList<string> Weather(Weather weather) => weather switch
    {
        World.Weather.Rain => ["in the rain", "while it rains", "during a rainstorm", "in a downpour of rain"],
        World.Weather.Snow => ["while snow falls", "as snowflakes fall", "in falling snow"],
        World.Weather.Fog => ["in thick fog", "in fog", "through a foggy haze"],
        _ => ["in calm, clear weather", "with clear weather", "in dry, calm weather"],
    };

    public static IReadOnlyList<string> Camera(CameraMotion camera) => camera switch
    {
        CameraMotion.PanLeft => ["the camera pans left", "the camera pans to the left", "the camera glides to the left"],
        CameraMotion.PanRight => ["the camera pans right", "the camera pans to the right", "the camera glides to the right"],
        CameraMotion.PanUp => ["the camera pans up", "the camera tilts up", "the camera tilts upward"],
        CameraMotion.PanDown => ["the camera pans down", "the camera tilts down", "the camera tilts downward"],
        CameraMotion.ZoomIn => ["the camera zooms in", "the camera slowly zooms in", "the camera pushes in"],
        CameraMotion.ZoomOut => ["the camera zooms out", "the camera pulls back", "the camera slowly zooms out"],
        _ => ["the camera is static", "the camera holds still", "the camera stays fixed"],
    };

    public static string Number(int n) => n switch
    {
        1 => "one",
        2 => "two",
        3 => "three",
        4 => "four",
        _ => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
