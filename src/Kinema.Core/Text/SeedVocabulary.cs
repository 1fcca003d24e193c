namespace Kinema.Text;

/// <summary>
/// Words for a model created before any training data exists (<c>kinema model init</c>): the language
/// of simple scene descriptions. The trainer replaces it with the vocabulary of its captions.
/// </summary>
public static class SeedVocabulary
{
    public static readonly IReadOnlyList<string> Words =
    """
    a an the and or of in on at to from with without into onto over under above below behind in front
    left right up down top bottom middle center centre near far across around through along toward towards away
    is are was be being it its they them this that there here while then as by slowly quickly fast slow
    one two three four five six seven eight nine ten single pair few many several some
    red crimson scarlet orange yellow gold golden green lime blue navy azure cyan teal purple violet magenta pink
    brown white black gray grey silver dark light bright pale colorful colourful
    ball balls sphere spheres cube cubes box boxes block pyramid pyramids triangle triangles star stars ring rings
    donut circle square person people man woman figure bird birds fish fishes character object objects shape shapes
    small little tiny medium large big huge giant
    bounce bounces bouncing move moves moving moved roll rolls rolling slide slides sliding fly flies flying
    walk walks walking jump jumps jumping spin spins spinning rotate rotates rotating orbit orbits orbiting
    grow grows growing shrink shrinks shrinking swim swims swimming fall falls falling float floats floating
    flap flaps flapping stand stands standing still stays sits rests drifts drifting glides gliding hops hopping
    sky grass field meadow beach sand sea ocean water waves desert dunes snow snowy snowfield city street road
    buildings room indoor indoors wall floor night stars starry day daytime morning noon sunset dusk evening
    sun moon sunny clear cloudy rain rainy raining snowing fog foggy mist misty weather
    camera pans pan panning zooms zoom zooming static tracks tracking tilts tilting shot view scene video clip
    background foreground shadow shadows light lit dim glowing warm cold cool
    """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
