using Kinema.Media;

namespace Kinema.Bench;

/// <summary>Pixel measures the benches share.</summary>
internal static class FrameMetrics
{
    /// <summary>PSNR on 8-bit pixels over whole clips, as <c>kinema eval vae</c> measures it; infinite for identical clips.</summary>
    public static double Psnr(IReadOnlyList<RgbFrame> a, IReadOnlyList<RgbFrame> b)
    {
        double sum = 0;
        long count = 0;
        for (int f = 0; f < a.Count; f++)
            for (int i = 0; i < a[f].Pixels.Length; i++)
            {
                double d = a[f].Pixels[i] - b[f].Pixels[i];
                sum += d * d;
                count++;
            }
        double mse = sum / count;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
