namespace Kinema.Responsibility.Watermark;

/// <summary>
/// The tile: a 96x96-pixel square repeated over every frame, divided into 16x16 cells of 6x6 pixels
/// (large enough to survive a 50% downscale and H.264's quantisation of fine detail).
/// Each cell carries one chip: 52 cells a known sync pattern, 204 cells the coded payload (96 bits: the
/// 64-bit payload and a CRC-32, convolutionally coded to 204). Which cell carries which coded bit and
/// each cell's sign come from the key. Repeating one tile makes cropping a mere shift of the tile
/// (found by search), and trimming frames only lowers how much evidence there is.
/// </summary>
internal sealed class WatermarkLayout
{
    public const int Tile = 96;
    public const int Cell = 6;
    public const int CellsPerSide = Tile / Cell;
    public const int Cells = CellsPerSide * CellsPerSide;
    public const int DataBits = 96;
    public static readonly int CodedBits = ConvolutionalCode.CodedLength(DataBits);
    public static readonly int SyncCells = Cells - CodedBits;

    /// <summary>Per cell: +1 or -1, the key's chip sign.</summary>
    public sbyte[] Chip { get; } = new sbyte[Cells];

    /// <summary>Per cell: the coded bit it carries, or -1 for a sync cell.</summary>
    public int[] CodedBitOfCell { get; } = new int[Cells];

    public WatermarkLayout(WatermarkKey key)
    {
        byte[] signs = key.Stream(WatermarkCodec.SchemeName + "/chips", Cells);
        for (int i = 0; i < Cells; i++) Chip[i] = (sbyte)((signs[i] & 1) == 1 ? 1 : -1);

        // A key-driven shuffle (Fisher-Yates) of cell indices: the first CodedBits carry data, in order.
        int[] order = Enumerable.Range(0, Cells).ToArray();
        byte[] random = key.Stream(WatermarkCodec.SchemeName + "/order", Cells * 4);
        for (int i = Cells - 1; i > 0; i--)
        {
            int j = (int)(BitConverter.ToUInt32(random, i * 4) % (uint)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        Array.Fill(CodedBitOfCell, -1);
        for (int bit = 0; bit < CodedBits; bit++) CodedBitOfCell[order[bit]] = bit;
    }
}
