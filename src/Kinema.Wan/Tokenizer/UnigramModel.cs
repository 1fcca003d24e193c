using System.Text;

namespace Kinema.Wan.Tokenizer;

/// <summary>
/// A SentencePiece Unigram language model as HF tokenizers runs it: every way to cut a word into vocabulary
/// pieces is scored by the sum of the pieces' log-probabilities, and Viterbi picks the best. A character no
/// piece starts with becomes an unknown piece scored (lowest vocabulary score − 10); runs of unknowns are fused,
/// then spelled as <c>&lt;0xNN&gt;</c> byte pieces when the model has byte fallback.
/// </summary>
public sealed class UnigramModel
{
    // HF tokenizers' K_UNK_PENALTY: an unknown character costs 10 nats more than the rarest piece.
    private const double UnknownPenalty = 10.0;

    private readonly string[] _pieces;
    private readonly double[] _scores;
    private readonly Dictionary<string, int> _ids;
    private readonly int _maxPieceChars;
    private readonly double _unknownScore;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocab, int? unkId, bool byteFallback)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        if (vocab.Count == 0) throw new ArgumentException("a Unigram vocabulary needs at least one piece", nameof(vocab));
        if (unkId is { } u && (u < 0 || u >= vocab.Count))
            throw new ArgumentException($"unk_id {u} is outside the vocabulary (0..{vocab.Count - 1})", nameof(unkId));
        _pieces = new string[vocab.Count];
        _scores = new double[vocab.Count];
        _ids = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        double min = double.MaxValue;
        for (int i = 0; i < vocab.Count; i++)
        {
            var (piece, score) = vocab[i];
            _pieces[i] = piece;
            _scores[i] = score;
            // HF keeps the last id for a repeated piece; so do we.
            _ids[piece] = i;
            _maxPieceChars = Math.Max(_maxPieceChars, piece.Length);
            min = Math.Min(min, score);
        }
        UnkId = unkId;
        ByteFallback = byteFallback;
        _unknownScore = min - UnknownPenalty;
    }

    public int? UnkId { get; }

    public bool ByteFallback { get; }

    public int VocabSize => _pieces.Length;

    public string IdToPiece(int id) => _pieces[id];

    public bool TryGetId(string piece, out int id) => _ids.TryGetValue(piece, out id);

    /// <summary>The best segmentation of <paramref name="word"/> as piece strings (unknown runs fused into one string).</summary>
    public List<string> Segment(string word)
    {
        var result = new List<string>();
        if (word.Length == 0) return result;

        // Positions are UTF-16 indices at code-point boundaries; a piece never splits a surrogate pair.
        int n = word.Length;
        var bestScore = new double[n + 1];
        var bestStart = new int[n + 1];
        var bestId = new int[n + 1];
        Array.Fill(bestStart, -1);
        bestStart[0] = 0;

        for (int start = 0; start < n; start = NextBoundary(word, start))
        {
            double here = bestScore[start];
            int charEnd = NextBoundary(word, start);
            bool hasSingleChar = false;
            // Candidates in increasing length, like a trie's common-prefix search; ties keep the earlier one.
            int limit = Math.Min(n, start + _maxPieceChars);
            for (int end = charEnd; end <= limit; end = end < n ? NextBoundary(word, end) : end + 1)
            {
                if (!_ids.TryGetValue(word.Substring(start, end - start), out int id)) continue;
                double candidate = here + _scores[id];
                if (bestStart[end] < 0 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = id;
                }
                if (end == charEnd) hasSingleChar = true;
            }
            if (!hasSingleChar)
            {
                int unk = UnkId ?? throw new TokenizerFormatException(
                    $"the Unigram model has no unk_id, but '{word.Substring(start, charEnd - start)}' is not in its vocabulary");
                double candidate = here + _unknownScore;
                if (bestStart[charEnd] < 0 || candidate > bestScore[charEnd])
                {
                    bestScore[charEnd] = candidate;
                    bestStart[charEnd] = start;
                    bestId[charEnd] = unk;
                }
            }
        }

        // Walk back from the end; consecutive unknown pieces are fused into one (HF's fuse_unk).
        var unknownRun = new StringBuilder();
        for (int end = n; end > 0;)
        {
            int start = bestStart[end];
            string piece = word.Substring(start, end - start);
            if (UnkId is { } unk && bestId[end] == unk)
            {
                unknownRun.Insert(0, piece);
            }
            else
            {
                if (unknownRun.Length > 0)
                {
                    result.Add(unknownRun.ToString());
                    unknownRun.Clear();
                }
                result.Add(piece);
            }
            end = start;
        }
        if (unknownRun.Length > 0) result.Add(unknownRun.ToString());
        result.Reverse();
        return result;
    }

    /// <summary>Segments <paramref name="word"/> and maps the pieces to ids (byte fallback or unk_id for unknown runs).</summary>
    public void Encode(string word, List<int> ids)
    {
        foreach (string piece in Segment(word))
        {
            if (_ids.TryGetValue(piece, out int id))
            {
                ids.Add(id);
                continue;
            }
            if (ByteFallback && TryBytes(piece, ids)) continue;
            ids.Add(UnkId ?? throw new TokenizerFormatException($"the Unigram model has no unk_id for '{piece}'"));
        }
    }

    private bool TryBytes(string piece, List<int> ids)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(piece);
        var byteIds = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!_ids.TryGetValue($"<0x{bytes[i]:X2}>", out byteIds[i])) return false;
        }
        ids.AddRange(byteIds);
        return true;
    }

    private static int NextBoundary(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? i + 2 : i + 1;
}
