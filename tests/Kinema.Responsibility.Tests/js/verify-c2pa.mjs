// Reads a file's C2PA manifest with c2pa-rs (WebAssembly build from the C2PA project) and prints
// one JSON object: whether a manifest was found, the validation status codes c2pa-rs reported,
// and the active manifest. Kinema's tests decide validity from these codes.
import { readFileSync } from 'node:fs';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

const [, , file, format, trustAnchors] = process.argv;
if (!file || !format) {
  console.error('usage: node verify-c2pa.mjs FILE MIME-TYPE [TRUST-ANCHORS.pem]');
  process.exit(2);
}
initSync({ module: readFileSync(new URL('./node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm', import.meta.url)) });

let reader;
try {
  // With an anchors file, c2pa-rs also judges trust against it (the operator's own root CA).
  const context = trustAnchors ? JSON.stringify({ trust: { user_anchors: readFileSync(trustAnchors, 'utf8') } }) : undefined;
  reader = await WasmReader.fromBytes(format, readFileSync(file), context);
} catch (error) {
  console.log(JSON.stringify({ reader: 'c2pa-rs (wasm)', found: false, error: String(error?.message ?? error) }));
  process.exit(0);
}
const store = JSON.parse(reader.json());
const active = store.manifests?.[store.active_manifest];
const results = store.validation_results?.activeManifest ?? {};
console.log(JSON.stringify({
  reader: 'c2pa-rs (wasm)',
  found: true,
  validationState: store.validation_state,
  success: (results.success ?? []).map(s => s.code),
  informational: (results.informational ?? []).map(s => s.code),
  failure: (results.failure ?? []).map(s => ({ code: s.code, url: s.url, explanation: s.explanation })),
  legacyStatus: (store.validation_status ?? []).map(s => ({ code: s.code, url: s.url, explanation: s.explanation })),
  claimGenerator: active?.claim_generator_info,
  assertions: (active?.assertions ?? []).map(a => a.label),
  actions: active?.assertions?.find(a => a.label?.startsWith('c2pa.actions'))?.data?.actions,
  signature: active?.signature_info,
}, null, 1));
