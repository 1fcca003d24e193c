namespace Kinema.Media.Gif;

/// <summary>
/// GIF-flavoured LZW: variable code width from minCodeSize+1 up to 12 bits, LSB-first bit packing,
/// a clear code when the 4096-entry table is full, output in 255-byte sub-blocks.
/// </summary>
internal static class LzwEncoder
{
    private const int MaxCodes = 4096;

    public static void Encode(Stream output, ReadOnlySpan<byte> indices, int minCodeSize)
    {
        var bits = new SubBlockBitWriter(output);
        int clear = 1 << minCodeSize;
        int endOfInformation = clear + 1;
        int codeSize = minCodeSize + 1;
        int nextCode = clear + 2;
        // Dictionary key: (prefix code << 8) | next byte; value: code for that string.
        var table = new Dictionary<int, int>(MaxCodes);

        output.WriteByte((byte)minCodeSize);
        bits.Write(clear, codeSize);
        if (indices.IsEmpty)
        {
            bits.Write(endOfInformation, codeSize);
            bits.Finish();
            return;
        }

        int prefix = indices[0];
        for (int i = 1; i < indices.Length; i++)
        {
            byte next = indices[i];
            int key = (prefix << 8) | next;
            if (table.TryGetValue(key, out int code))
            {
                prefix = code;
                continue;
            }
            bits.Write(prefix, codeSize);
            if (nextCode < MaxCodes)
            {
                // The decoder widens its codes one step later than it adds entries, so widen when the
                // code just assigned no longer fits in the current width.
                if (nextCode == 1 << codeSize) codeSize++;
                table[key] = nextCode++;
            }
            else
            {
                bits.Write(clear, codeSize);
                table.Clear();
                codeSize = minCodeSize + 1;
                nextCode = clear + 2;
            }
            prefix = next;
        }
        bits.Write(prefix, codeSize);
        bits.Write(endOfInformation, codeSize);
        bits.Finish();
    }

    /// <summary>Packs codes LSB-first into GIF data sub-blocks (length byte + up to 255 bytes, then a 0 terminator).</summary>
    private sealed class SubBlockBitWriter(Stream output)
    {
        private readonly byte[] _block = new byte[255];
        private int _blockLength;
        private int _accumulator;
        private int _bitCount;

        public void Write(int code, int width)
        {
            _accumulator |= code << _bitCount;
            _bitCount += width;
            while (_bitCount >= 8)
            {
                Put((byte)_accumulator);
                _accumulator >>= 8;
                _bitCount -= 8;
            }
        }

        public void Finish()
        {
            if (_bitCount > 0) Put((byte)_accumulator);
            Flush();
            output.WriteByte(0);
        }

        private void Put(byte value)
        {
            _block[_blockLength++] = value;
            if (_blockLength == _block.Length) Flush();
        }

        private void Flush()
        {
            if (_blockLength == 0) return;
            output.WriteByte((byte)_blockLength);
            output.Write(_block, 0, _blockLength);
            _blockLength = 0;
        }
    }
}
