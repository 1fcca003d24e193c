using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kinema.Media;
using Kinema.Responsibility.Watermark;

namespace Kinema.Bench;

/// <summary>
/// Robustness of the invisible watermark. Each trial marks a 256x256, 32-frame clip (8 fps; --size, --frames) with a
/// random 64-bit payload, writes it as Kinema does (H.264 CRF 18), attacks it with ffmpeg and runs the
/// blind detector (key only). Contents rotate over a toy-world scene (flat shapes, the kind of video
/// Kinema's toy models make), a zooming fractal, a busy test card and soft gradients. A stress row
/// repeats the attacks on Conway's life (pure pixel-scale noise, unlike any natural video) and is
/// reported apart. Peer: the unmarked clip through the same attacks must give no payload and about
/// 50% raw bit errors. Options: --trials N (default 20), --stress-trials N (default 4), --size N (square side, default
/// 256), --frames N (default 32), --out NAME (default watermark).
/// </summary>
public static class WatermarkBench
{
    private const int Fps = 8;
    // --size and --frames (defaults 256 and 32) set these before anything is rendered.
    private static int Size = 256, Frames = 32;

    private static (string Name, string FfmpegArguments)[] Attacks =>
    [
        ("none (delivered MP4)", ""),
        ("h264 crf 28", "-c:v libx264 -preset medium -crf 28"),
        ("downscale 50%", "-vf scale=iw/2:ih/2 -c:v libx264 -crf 18"),
        ("crop 10% each edge", "-vf crop=trunc(iw*0.4)*2:trunc(ih*0.4)*2:trunc(iw*0.1):trunc(ih*0.1) -c:v libx264 -crf 18"),
        ("trim to first half", $"-frames:v {Frames / 2} -c:v libx264 -crf 18"),
    ];

    private static readonly string[] Contents = ["toy-world", "mandelbrot", "testsrc2", "gradients"];
    private const string StressContent = "life";

    public static int Run(string[] args)
    {
        int trials = int.Parse(Program.Option(args, "--trials", "20"), CultureInfo.InvariantCulture);
        int stressTrials = int.Parse(Program.Option(args, "--stress-trials", "4"), CultureInfo.InvariantCulture);
        Size = int.Parse(Program.Option(args, "--size", "256"), CultureInfo.InvariantCulture);
        Frames = int.Parse(Program.Option(args, "--frames", "32"), CultureInfo.InvariantCulture);
        string outName = Program.Option(args, "--out", "watermark");
        string ffmpeg = Ffmpeg.Locate() ?? throw new InvalidOperationException("the watermark bench needs ffmpeg");
        string work = Directory.CreateTempSubdirectory("kinema-wm-bench-").FullName;
        var key = WatermarkKey.FromPassphrase("kinema-bench");
        var random = new Random(2026);
        var rows = Attacks.ToDictionary(a => a.Name, _ => new Tally());
        var peers = Attacks.ToDictionary(a => a.Name, _ => new Tally());
        var stress = Attacks.ToDictionary(a => a.Name, _ => new Tally());
        var psnrs = new List<double>();
        var detectSeconds = new List<double>();
        try
        {
            for (int trial = 0; trial < trials + stressTrials; trial++)
            {
                bool isStress = trial >= trials;
                string content = isStress ? StressContent : Contents[trial % Contents.Length];
                var original = Render(content, trial, ffmpeg, work);
                ulong payload = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
                var marked = WatermarkEmbedder.Embed(original, payload, key).ToList();
                double psnr = FrameMetrics.Psnr(original, marked);
                if (!isStress) psnrs.Add(psnr);
                string markedPath = Path.Combine(work, "marked.mp4"), plainPath = Path.Combine(work, "plain.mp4");
                VideoFile.Write(markedPath, marked, new VideoWriteOptions { Fps = Fps });
                VideoFile.Write(plainPath, original, new VideoWriteOptions { Fps = Fps });
                foreach (var (name, arguments) in Attacks)
                {
                    var (found, exact, ber, seconds) = Attack(ffmpeg, markedPath, arguments, work, key, payload);
                    (isStress ? stress : rows)[name].Add(content, found, exact, ber);
                    if (isStress) continue;
                    detectSeconds.Add(seconds);
                    var peer = Attack(ffmpeg, plainPath, arguments, work, key, payload);
                    peers[name].Add(content, peer.Found, peer.Exact, peer.Ber);
                }
                Console.Error.WriteLine($"trial {trial + 1}/{trials + stressTrials} ({content}): PSNR {psnr:F2} dB; exact so far: {string.Join(", ", (isStress ? stress : rows).Select(r => $"{r.Value.Exact}/{r.Value.Trials}"))}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"watermark {WatermarkCodec.SchemeName}: {trials} trials per attack, {Size}x{Size}, {Frames} frames, strength {WatermarkEmbedder.DefaultStrength}");
        Console.WriteLine($"PSNR cost: mean {psnrs.Average():F2} dB, min {psnrs.Min():F2} dB (target >= 40)");
        Console.WriteLine($"{"attack",-22} {"exact",8} {"found",8} {"raw BER",8} | {"peer found",10} {"peer BER",9}");
        foreach (var (name, _) in Attacks)
        {
            var r = rows[name];
            var p = peers[name];
            Console.WriteLine($"{name,-22} {r.ExactRate,8:P0} {r.FoundRate,8:P0} {r.MeanBer,8:F3} | {p.FoundRate,10:P0} {p.MeanBer,9:F3}");
        }
        Console.WriteLine($"stress ({StressContent}, {stressTrials} trials, pixel-scale noise): exact {string.Join(", ", Attacks.Select(a => $"{a.Name} {stress[a.Name].Exact}/{stress[a.Name].Trials}"))}");
        Console.WriteLine($"detection time: mean {detectSeconds.Average():F2} s per clip");

        var result = new
        {
            scheme = WatermarkCodec.SchemeName,
            trials_per_attack = trials,
            clip = new { width = Size, height = Size, frames = Frames, fps = Fps, contents = Contents },
            strength = WatermarkEmbedder.DefaultStrength,
            psnr_db = new { mean = Math.Round(psnrs.Average(), 2), min = Math.Round(psnrs.Min(), 2), target = 40 },
            attacks = Attacks.Select(a => new
            {
                attack = a.Name,
                ffmpeg = a.FfmpegArguments,
                exact_payload_rate = Math.Round(rows[a.Name].ExactRate, 3),
                found_rate = Math.Round(rows[a.Name].FoundRate, 3),
                mean_raw_bit_error_rate = Math.Round(rows[a.Name].MeanBer, 4),
                exact_by_content = rows[a.Name].ExactByContent,
                peer_unmarked_found_rate = Math.Round(peers[a.Name].FoundRate, 3),
                peer_unmarked_mean_raw_bit_error_rate = Math.Round(peers[a.Name].MeanBer, 4),
            }),
            stress = new
            {
                content = StressContent,
                trials = stressTrials,
                exact_payload_rate = Attacks.ToDictionary(a => a.Name, a => Math.Round(stress[a.Name].ExactRate, 3)),
                mean_raw_bit_error_rate = Attacks.ToDictionary(a => a.Name, a => Math.Round(stress[a.Name].MeanBer, 4)),
            },
            detection_seconds_mean = Math.Round(detectSeconds.Average(), 2),
            target_exact_payload_rate = 0.95,
        };
        string output = Path.Combine(Program.ResultsFolder(), outName + ".json");
        File.WriteAllText(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private sealed class Tally
    {
        public int Trials, Found, Exact;
        private double _berSum;
        public Dictionary<string, string> ExactByContent { get; } = [];
        private readonly Dictionary<string, (int Exact, int Trials)> _byContent = [];

        public void Add(string content, bool found, bool exact, double ber)
        {
            Trials++;
            if (found) Found++;
            if (exact) Exact++;
            _berSum += ber;
            var (e, t) = _byContent.GetValueOrDefault(content);
            _byContent[content] = (e + (exact ? 1 : 0), t + 1);
            ExactByContent[content] = $"{_byContent[content].Exact}/{_byContent[content].Trials}";
        }

        public double ExactRate => Trials == 0 ? 0 : Exact / (double)Trials;
        public double FoundRate => Trials == 0 ? 0 : Found / (double)Trials;
        public double MeanBer => Trials == 0 ? 0 : _berSum / Trials;
    }

    private static (bool Found, bool Exact, double Ber, double Seconds) Attack(string ffmpeg, string input, string arguments, string work, WatermarkKey key, ulong payload)
    {
        string path = input;
        if (arguments.Length > 0)
        {
            path = Path.Combine(work, "attacked.mp4");
            RunFfmpeg(ffmpeg, $"-v error -i {input} {arguments} -pix_fmt yuv420p -an -y {path}");
        }
        var frames = VideoFile.Read(path).Frames;
        var clock = Stopwatch.StartNew();
        var detection = WatermarkDetector.Detect(frames, key);
        double seconds = clock.Elapsed.TotalSeconds;
        double ber = WatermarkDetector.CodedBitErrorRate(frames, key, payload);
        return (detection.Found, detection.Payload == payload, ber, seconds);
    }

    private static List<RgbFrame> Render(string content, int trial, string ffmpeg, string work)
    {
        if (content == "toy-world") return ToyScene(trial);
        string source = content switch
        {
            "mandelbrot" => $"mandelbrot=size={Size}x{Size}:rate={Fps}",
            "testsrc2" => $"testsrc2=size={Size}x{Size}:rate={Fps}",
            "gradients" => $"gradients=size={Size}x{Size}:rate={Fps}:seed={trial}:speed=0.05",
            _ => $"life=size={Size}x{Size}:rate={Fps}:seed={trial}:mold=10:life_color=#C83232:death_color=#203040",
        };
        string path = Path.Combine(work, "source.mp4");
        // A different stretch of each source per trial; near-lossless so the source adds no artefacts of its own.
        RunFfmpeg(ffmpeg, $"-v error -f lavfi -i {source} -ss {trial} -frames:v {Frames} -c:v libx264 -crf 4 -pix_fmt yuv444p -y {path}");
        return [.. VideoFile.Read(path).Frames];
    }

    /// <summary>A sky gradient, textured ground and three shaded balls moving across: flat regions and clean edges.</summary>
    private static List<RgbFrame> ToyScene(int seed)
    {
        var random = new Random(seed);
        var balls = Enumerable.Range(0, 3).Select(_ => (X: random.NextDouble() * Size, Y: Size * (0.3 + 0.5 * random.NextDouble()),
            Vx: random.NextDouble() * 8 - 4, Vy: random.NextDouble() * 4 - 2, R: 12 + random.NextDouble() * 24,
            Color: (R: random.Next(40, 256), G: random.Next(40, 256), B: random.Next(40, 256)))).ToArray();
        var grain = new byte[Size * Size];
        random.NextBytes(grain);
        var frames = new List<RgbFrame>();
        for (int t = 0; t < Frames; t++)
        {
            var frame = new RgbFrame(Size, Size);
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    (int r, int g, int b) = y < Size * 0.6
                        ? (90 + y / 3, 150 + y / 4, 235)
                        : (60 + grain[y * Size + x] % 24, 140 + grain[y * Size + x] % 30, 50);
                    foreach (var ball in balls)
                    {
                        double dx = x - (ball.X + ball.Vx * t), dy = y - (ball.Y + ball.Vy * t);
                        double d = Math.Sqrt(dx * dx + dy * dy) / ball.R;
                        if (d <= 1) { double shade = 1 - 0.5 * d * d; (r, g, b) = ((int)(ball.Color.R * shade), (int)(ball.Color.G * shade), (int)(ball.Color.B * shade)); }
                    }
                    frame.SetPixel(x, y, (byte)Math.Clamp(r, 0, 255), (byte)Math.Clamp(g, 0, 255), (byte)Math.Clamp(b, 0, 255));
                }
            frames.Add(frame);
        }
        return frames;
    }

    private static void RunFfmpeg(string ffmpeg, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(ffmpeg, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {arguments} failed: {errors}");
    }
}
