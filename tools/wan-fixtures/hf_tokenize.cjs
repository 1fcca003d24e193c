// Tokenizes with Hugging Face's Rust `tokenizers` (the npm binding of the same crate transformers' fast tokenizers
// wrap), configured as transformers' PreTrainedTokenizerFast.__call__ configures it for
// padding="max_length", max_length=N, truncation=True. Called by make_tokenizer_hf_fixture.py.
//   node hf_tokenize.cjs TOKENIZERS_MODULE DRAFT_JSON SAVED_JSON MAX_LENGTH < texts.json > encodings.json
const [modulePath, draftPath, savedPath, maxLengthArg] = process.argv.slice(2);
const { Tokenizer, TruncationStrategy, PaddingDirection } = require(modulePath);
const fs = require('fs');

async function main() {
  const maxLength = parseInt(maxLengthArg, 10);
  // fromString runs the crate's own deserializer: a draft it cannot read fails here, not in our tests.
  const tokenizer = Tokenizer.fromString(fs.readFileSync(draftPath, 'utf8'));
  tokenizer.save(savedPath, true);
  // set_truncation_and_padding: enable_truncation(max_length, stride=0, strategy="longest_first", direction="right")
  // and enable_padding(length=max_length, direction="right", pad_id=<pad>, pad_token="<pad>", pad_type_id=0).
  tokenizer.setTruncation(maxLength, { strategy: 'LongestFirst', direction: 'right', stride: 0 });
  tokenizer.setPadding({ maxLength, direction: 'right', padId: tokenizer.tokenToId('<pad>'), padTypeId: 0, padToken: '<pad>' });
  const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
  const encodings = await tokenizer.encodeBatch(texts, { addSpecialTokens: true });
  const result = encodings.map(e => ({ ids: e.getIds(), attention_mask: e.getAttentionMask(), tokens: e.getTokens() }));
  process.stdout.write(JSON.stringify(result));
}
main().catch(err => { console.error(err); process.exit(1); });
