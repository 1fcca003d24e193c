namespace Kinema.Cli;

/// <summary>Process exit codes: the same across every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RuntimeFailure = 1;
    public const int BadInput = 2;
    public const int PolicyBlocked = 3;
    public const int Cancelled = 130;
}
