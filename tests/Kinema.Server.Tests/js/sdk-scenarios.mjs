// Drives `kinema serve` with the official openai npm package, one scenario per run:
//   node sdk-scenarios.mjs SCENARIO   (env: KINEMA_BASE_URL = http://127.0.0.1:PORT/v1, KINEMA_API_KEY, KINEMA_OTHER_KEY)
// Prints one JSON object of facts for the xunit test to assert on; exits 1 with the error on failure.
import OpenAI, { toFile } from "openai";
import { readFileSync } from "node:fs";

const baseURL = process.env.KINEMA_BASE_URL;
const client = new OpenAI({ apiKey: process.env.KINEMA_API_KEY ?? "unused", baseURL, maxRetries: 0, timeout: 60_000 });
const small = { size: "64x64", seconds: "1" };

async function waitFor(id, c = client) {
  const headers = new Set();
  for (let i = 0; i < 600; i++) {
    const { data: video, response } = await c.videos.retrieve(id).withResponse();
    headers.add(response.headers.get("openai-poll-after-ms"));
    if (video.status === "completed" || video.status === "failed") return { video, pollAfterMs: [...headers] };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`video ${id} did not finish`);
}

async function bytesOf(id, variant) {
  const response = await client.videos.downloadContent(id, { variant });
  return { contentType: response.headers.get("content-type"), bytes: Buffer.from(await response.arrayBuffer()) };
}

function kind(bytes) {
  if (bytes.subarray(4, 8).toString("latin1") === "ftyp") return "mp4";
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "webp";
  return "unknown";
}

async function completedVideo(prompt = "a red ball bounces on green grass") {
  const created = await client.videos.create({ prompt, ...small });
  return (await waitFor(created.id)).video;
}

async function errorOf(promise) {
  try {
    await promise;
    return { thrown: false };
  } catch (error) {
    return { thrown: true, status: error.status, name: error.constructor.name, message: error.message, code: error.code ?? null };
  }
}

const scenarios = {
  async "create-and-download"() {
    const created = await client.videos.create({ prompt: "a blue cube slides left", ...small, seed: 7, steps: 3 });
    const { video, pollAfterMs } = await waitFor(created.id);
    const variants = {};
    for (const variant of ["video", "thumbnail", "spritesheet"]) {
      const { contentType, bytes } = await bytesOf(video.id, variant);
      variants[variant] = { contentType, kind: kind(bytes), length: bytes.length };
    }
    return { created, video, pollAfterMs, variants };
  },

  async "list-paging"() {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await client.videos.create({ prompt: `paging test ${i}`, ...small })).id);
    const first = await client.videos.list({ limit: 2, order: "asc" });
    const seen = [];
    for await (const video of client.videos.list({ limit: 2, order: "desc" })) seen.push(video.id);
    for (const id of ids) await waitFor(id);
    return { ids, firstPage: { count: first.data.length, has_more: first.has_more, last_id: first.last_id, object: first.object ?? null }, seen };
  },

  async remix() {
    const source = await completedVideo("a red ball on grass");
    const remix = await client.videos.remix(source.id, { prompt: "a blue ball on snow" });
    const { video } = await waitFor(remix.id);
    return { source, remix, video };
  },

  async "edit-by-id"() {
    const source = await completedVideo();
    const edit = await client.videos.edit({ prompt: "the same scene at night", video: { id: source.id } });
    return { source, video: (await waitFor(edit.id)).video };
  },

  async "edit-upload"() {
    const source = await completedVideo();
    const { bytes } = await bytesOf(source.id, "video");
    const edit = await client.videos.edit({ prompt: "the same scene in fog", video: await toFile(bytes, "clip.mp4", { type: "video/mp4" }) });
    return { source, video: (await waitFor(edit.id)).video };
  },

  async extend() {
    const source = await completedVideo();
    const extension = await client.videos.extend({ prompt: "the ball keeps rolling", seconds: "1", video: { id: source.id } });
    const { video } = await waitFor(extension.id);
    return { source, extension, video, download: { kind: kind((await bytesOf(video.id, "video")).bytes) } };
  },

  async characters() {
    const source = await completedVideo();
    const { bytes } = await bytesOf(source.id, "video");
    const created = await client.videos.createCharacter({ name: "Red Ball", video: await toFile(bytes, "ball.mp4", { type: "video/mp4" }) });
    const fetched = await client.videos.getCharacter(created.id);
    return { created, fetched };
  },

  async "delete"() {
    const video = await completedVideo();
    const deleted = await client.videos.delete(video.id);
    const afterwards = await errorOf(client.videos.retrieve(video.id));
    return { deleted, afterwards };
  },

  async "delete-queued"() {
    const created = await client.videos.create({ prompt: "never generated", size: "256x256", seconds: "8", steps: 500 });
    const deleted = await client.videos.delete(created.id);
    const afterwards = await errorOf(client.videos.retrieve(created.id));
    return { deleted, afterwards };
  },

  async "input-reference-upload"() {
    const png = readFileSync(process.env.KINEMA_TEST_PNG);
    const created = await client.videos.create({ prompt: "this picture comes alive", ...small, input_reference: await toFile(png, "first.png", { type: "image/png" }) });
    return { video: (await waitFor(created.id)).video };
  },

  async "input-reference-data-url"() {
    const png = readFileSync(process.env.KINEMA_TEST_PNG);
    const created = await client.videos.create({ prompt: "this picture comes alive", ...small, input_reference: { image_url: `data:image/png;base64,${png.toString("base64")}` } });
    return { video: (await waitFor(created.id)).video };
  },

  async "images-generate"() {
    const result = await client.images.generate({ model: "gpt-image-1", prompt: "a red ball on green grass", size: "64x64", n: 2 });
    const images = result.data.map((image) => Buffer.from(image.b64_json, "base64"));
    const listed = [];
    for await (const video of client.videos.list({ limit: 100 })) listed.push(video.id);
    return {
      count: images.length,
      size: result.size ?? null,
      png: images.map((b) => b.subarray(1, 4).toString("latin1") === "PNG"),
      widths: images.map((b) => b.readUInt32BE(16)),
      heights: images.map((b) => b.readUInt32BE(20)),
      imagesListedAsVideos: listed.filter((id) => !id.startsWith("video_")).length,
    };
  },

  async "images-url-refused"() {
    return { error: await errorOf(client.images.generate({ prompt: "a red ball", size: "64x64", response_format: "url" })) };
  },

  async "loop-by-post"() {
    // Kinema's own routes through the SDK's generic request: the answer is a video object the SDK polls as any other.
    const created = await client.post("/videos/loops", { body: { prompt: "a red ball bounces on green grass", ...small, seconds: "2", seed: 5 } });
    const { video } = await waitFor(created.id);
    return { created, video, download: { kind: kind((await bytesOf(video.id, "video")).bytes) } };
  },

  async "wrong-key"() {
    const stranger = new OpenAI({ apiKey: "sk-not-a-key-of-this-server-000", baseURL, maxRetries: 0 });
    return { error: await errorOf(stranger.videos.list()) };
  },

  async "other-key"() {
    const video = await completedVideo();
    const other = new OpenAI({ apiKey: process.env.KINEMA_OTHER_KEY, baseURL, maxRetries: 0 });
    const retrieve = await errorOf(other.videos.retrieve(video.id));
    const download = await errorOf(other.videos.downloadContent(video.id));
    const remove = await errorOf(other.videos.delete(video.id));
    const list = await other.videos.list();
    const stillThere = await client.videos.retrieve(video.id);
    return { retrieve, download, remove, otherListIds: list.data.map((v) => v.id), stillThere };
  },
};

const name = process.argv[2];
if (!scenarios[name]) {
  console.error(`unknown scenario '${name}'; known: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await scenarios[name]()));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
