namespace Kinema.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "world-render":
                return WorldRenderBench.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: Kinema.Bench world-render [CLIPS]");
                return 2;
        }
    }
}
