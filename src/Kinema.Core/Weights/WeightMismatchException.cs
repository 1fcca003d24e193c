namespace Kinema.Weights;

/// <summary>
/// A checkpoint does not fit a module: the message lists missing keys, unexpected keys and every shape
/// or dtype mismatch (capped), naming the component. The full lists are in the properties.
/// </summary>
public sealed class WeightMismatchException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public WeightMismatchException(string message, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<string> mismatches)
        : base(message)
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        Mismatches = mismatches;
    }

    /// <summary>Keys the module has and the checkpoint lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys the checkpoint has and the module lacks.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>One sentence per key whose shape or dtype cannot be loaded.</summary>
    public IReadOnlyList<string> Mismatches { get; }
}
