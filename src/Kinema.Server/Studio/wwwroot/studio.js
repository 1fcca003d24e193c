// Kinema Studio: a thin client of the server's own OpenAI-compatible API (/v1/videos).
// Live progress comes from /v1/videos/{id}/events (server-sent events read through fetch, so an API
// key can travel in the Authorization header), with polling as the fallback.

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "kinema.apiKey";
const cards = new Map(); // video id -> { element, video, objectUrl, watching }

function apiKey() { return localStorage.getItem(KEY_STORAGE) || ""; }

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (apiKey()) headers.set("Authorization", `Bearer ${apiKey()}`);
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    $("key-button").hidden = false;
    askForKey("This server needs an API key.");
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function askForKey(reason) {
  const key = prompt(`${reason}\nPaste your API key (kept in this browser only):`, apiKey());
  if (key !== null) { localStorage.setItem(KEY_STORAGE, key.trim()); location.reload(); }
}

// ---- model capabilities -> form choices ----------------------------------------------------------

async function loadCapabilities() {
  const models = await (await api("/v1/models")).json();
  const model = models.data[0];
  $("model-name").textContent = model.id;
  const caps = model.capabilities;
  const sizes = sizeChoices(caps.size);
  const select = $("size");
  // With a frame image and no size, the server takes the image's size (on the model's grid); this choice says so.
  const fromFrame = new Option("Same as the frame image", "");
  fromFrame.id = "size-from-frame";
  fromFrame.hidden = fromFrame.disabled = true;
  select.add(fromFrame);
  select.dataset.default = caps.size.default;
  for (const size of sizes) {
    const option = new Option(describeSize(size), size, size === caps.size.default, size === caps.size.default);
    select.add(option);
  }
  followFrameSize();
  $("seconds").max = caps.seconds.max;
  $("seconds").value = caps.seconds.default;
  // The advanced fields start empty (the model decides); their placeholders say what that means.
  for (const [id, range] of [["steps", caps.steps], ["guidance", caps.guidance], ["guidance-min-sigma", caps.guidance_min_sigma], ["eta", caps.eta]]) {
    if (!range) { $(id).closest(".field").hidden = true; continue; }
    $(id).min = range.min;
    $(id).max = range.max;
    $(id).placeholder = `default ${range.default}`;
  }
  if (caps.sampler) {
    $("sampler").options[0].text = `default (${caps.sampler.default})`;
    for (const name of caps.sampler.values) $("sampler").add(new Option(name, name));
  } else {
    $("sampler").closest(".field").hidden = true;
  }
}

// Only what the person typed is sent; an empty field leaves the setting to the model.
const ADVANCED_FIELDS = [["negative-prompt", "negative_prompt"], ["steps", "steps"], ["guidance", "guidance"], ["guidance-min-sigma", "guidance_min_sigma"], ["sampler", "sampler"], ["eta", "eta"]];

function sizeChoices(size) {
  const m = size.multiple_of;
  const round = (v) => Math.max(size.min_width, Math.round(v / m) * m);
  const fits = ([w, h]) => w >= size.min_width && w <= size.max_width && h >= size.min_height && h <= size.max_height;
  const choices = new Set([size.default]);
  for (let side = m * 4; side <= Math.max(size.max_width, size.max_height); side *= 2) {
    for (const [w, h] of [[side, side], [side, round(side * 9 / 16)], [round(side * 9 / 16), side]]) {
      if (fits([w, h])) choices.add(`${w}x${h}`);
    }
  }
  return [...choices].sort((a, b) => area(a) - area(b) || a.localeCompare(b));
}

function area(size) { const [w, h] = size.split("x").map(Number); return w * h; }

function describeSize(size) {
  const [w, h] = size.split("x").map(Number);
  const shape = w === h ? "square" : w > h ? "landscape" : "portrait";
  return `${w} × ${h} · ${shape}`;
}

// ---- gallery ----------------------------------------------------------------------------------------

async function loadGallery() {
  const list = await (await api("/v1/videos?limit=100&order=desc")).json();
  for (const video of list.data.reverse()) upsertCard(video);
  updateCount();
}

function updateCount() {
  $("count").textContent = cards.size ? `${cards.size}` : "";
  $("empty").hidden = cards.size > 0;
}

function upsertCard(video) {
  let entry = cards.get(video.id);
  if (!entry) {
    const element = $("card-template").content.firstElementChild.cloneNode(true);
    element.dataset.id = video.id;
    $("gallery").prepend(element);
    entry = { element, video, objectUrl: null, watching: false };
    cards.set(video.id, entry);
    element.querySelector(".delete").addEventListener("click", () => removeVideo(video.id));
    element.querySelector(".remix").addEventListener("click", () => openDialog("remix", entry.video));
    element.querySelector(".extend").addEventListener("click", () => openDialog("extend", entry.video));
  }
  entry.video = video;
  render(entry);
  if ((video.status === "queued" || video.status === "in_progress") && !entry.watching) watch(entry);
  updateCount();
  return entry;
}

function render(entry) {
  const { element, video } = entry;
  const [w, h] = video.size.split("x").map(Number);
  element.style.setProperty("--aspect", `${w} / ${h}`);
  element.dataset.status = video.status;
  element.classList.toggle("done", video.status === "completed");
  element.classList.toggle("failed", video.status === "failed");
  element.querySelector(".prompt-text").textContent = video.prompt ?? "";
  const origin = video.remixed_from_video_id ? " · remix" : "";
  element.querySelector(".meta").textContent = `${video.size} · ${video.seconds}s · ${labelFor(video)}${origin}`;
  const progress = element.querySelector(".progress");
  progress.setAttribute("aria-valuenow", String(video.progress));
  progress.querySelector(".bar").style.width = `${video.progress}%`;
  element.querySelector(".phase").textContent = video.status === "queued" ? "Queued" : video.status === "failed" ? "Failed" : `Generating ${video.progress}%`;
  const error = element.querySelector(".card-error");
  error.hidden = !video.error;
  error.textContent = video.error ? video.error.message : "";
  const done = video.status === "completed";
  for (const selector of [".remix", ".extend"]) element.querySelector(selector).hidden = !done;
  if (done && !entry.objectUrl) showVideo(entry);
}

function labelFor(video) {
  if (video.status === "completed") return new Date(video.completed_at * 1000).toLocaleString();
  if (video.status === "failed") return "failed";
  return video.status === "queued" ? "queued" : `${video.progress}%`;
}

async function showVideo(entry) {
  entry.objectUrl = "pending";
  try {
    const blob = await (await api(`/v1/videos/${entry.video.id}/content?variant=video`)).blob();
    entry.objectUrl = URL.createObjectURL(blob);
  } catch (error) {
    entry.objectUrl = null;
    const message = entry.element.querySelector(".card-error");
    message.hidden = false;
    message.textContent = error.message;
    return;
  }
  const video = document.createElement("video");
  Object.assign(video, { src: entry.objectUrl, controls: true, loop: true, muted: true, autoplay: true, playsInline: true });
  video.setAttribute("playsinline", "");
  const media = entry.element.querySelector(".media");
  media.querySelector(".placeholder")?.remove();
  media.prepend(video);
  const download = entry.element.querySelector(".download");
  download.href = entry.objectUrl;
  download.download = `${entry.video.id}.mp4`;
  download.hidden = false;
}

async function watch(entry) {
  entry.watching = true;
  try {
    await streamEvents(entry);
  } catch {
    // The stream broke (proxy, network); polling below finishes the job.
  }
  while (cards.has(entry.video.id) && (entry.video.status === "queued" || entry.video.status === "in_progress")) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try { upsertCard(await (await api(`/v1/videos/${entry.video.id}`)).json()); } catch { break; }
  }
  entry.watching = false;
}

async function streamEvents(entry) {
  const response = await api(`/v1/videos/${entry.video.id}/events`, { headers: { Accept: "text/event-stream" } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === "video" && data && cards.has(entry.video.id)) upsertCard(JSON.parse(data));
    }
  }
}

async function removeVideo(id) {
  if (!confirm("Delete this video? A running generation is cancelled.")) return;
  try {
    await api(`/v1/videos/${id}`, { method: "DELETE" });
  } catch (error) {
    if (!/not found/i.test(error.message)) { alert(error.message); return; }
  }
  const entry = cards.get(id);
  if (entry?.objectUrl && entry.objectUrl !== "pending") URL.revokeObjectURL(entry.objectUrl);
  entry?.element.remove();
  cards.delete(id);
  updateCount();
}

// ---- create, remix, extend ------------------------------------------------------------------------

async function submit(event) {
  event.preventDefault();
  const button = $("generate");
  const error = $("form-error");
  error.hidden = true;
  const form = new FormData();
  form.append("prompt", $("prompt").value.trim());
  if ($("size").value !== "") form.append("size", $("size").value);
  form.append("seconds", $("seconds").value);
  if ($("seed").value !== "") form.append("seed", $("seed").value);
  for (const [id, name] of ADVANCED_FIELDS) {
    const value = $(id).value.trim();
    if (value !== "") form.append(name, value);
  }
  const first = $("first-frame").files[0];
  const last = $("last-frame").files[0];
  const loop = $("loop").checked;
  if (loop && (first || last)) {
    error.textContent = "A seamless loop starts from the prompt alone: remove the first and last frame images, or untick Seamless loop.";
    error.hidden = false;
    return;
  }
  if (first) form.append("input_reference", first, first.name);
  if (last) form.append("last_frame_reference", last, last.name);
  button.disabled = true;
  button.textContent = "Submitting…";
  try {
    const video = await (await api(loop ? "/v1/videos/loops" : "/v1/videos", { method: "POST", body: form })).json();
    upsertCard(video);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = "Generate";
  }
}

function openDialog(kind, video) {
  const dialog = $("action-dialog");
  $("dialog-title").textContent = kind === "remix" ? "Remix: the same video re-made under a new prompt (its layout and motion carry over)" : "Extend: add seconds after the end";
  $("dialog-ok").textContent = kind === "remix" ? "Remix" : "Extend";
  $("dialog-seconds-field").hidden = kind !== "extend";
  $("dialog-prompt").value = video.prompt ?? "";
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "ok") return;
    const prompt = $("dialog-prompt").value.trim();
    if (!prompt) return;
    const body = kind === "remix" ? { prompt } : { prompt, seconds: $("dialog-seconds").value, video: { id: video.id } };
    const path = kind === "remix" ? `/v1/videos/${video.id}/remix` : "/v1/videos/extensions";
    try {
      const created = await (await api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).json();
      upsertCard(created);
    } catch (error) {
      alert(error.message);
    }
  };
  dialog.showModal();
}

// The first frame image chosen: its size becomes the video's (the person may still pick another, which a second
// image does not undo). All removed: the default.
function followFrameSize() {
  const select = $("size");
  const fromFrame = $("size-from-frame");
  if (!fromFrame) return;   // capabilities not loaded yet: loadCapabilities calls this once they are
  const anyFrame = Boolean($("first-frame").files[0] || $("last-frame").files[0]);
  const hadFrame = !fromFrame.disabled;
  fromFrame.hidden = fromFrame.disabled = !anyFrame;
  if (anyFrame && !hadFrame) select.value = "";
  else if (!anyFrame && select.value === "") select.value = select.dataset.default;
}

function bindFrameUpload(name, label) {
  const input = $(`${name}-frame`);
  const preview = $(`${name}-frame-preview`);
  const clear = $(`clear-${name}-frame`);
  let url = null;
  input.addEventListener("change", () => {
    if (url) URL.revokeObjectURL(url);
    const file = input.files[0];
    url = file ? URL.createObjectURL(file) : null;
    preview.style.backgroundImage = url ? `url("${url}")` : "";
    $(`${name}-frame-text`).textContent = file ? file.name : `${label} (optional image)`;
    clear.hidden = !file;
    followFrameSize();
  });
  clear.addEventListener("click", (event) => {
    event.preventDefault();
    input.value = "";
    input.dispatchEvent(new Event("change"));
  });
}

$("composer").addEventListener("submit", submit);
$("dice").addEventListener("click", () => { $("seed").value = String(Math.floor(Math.random() * 2 ** 31)); });
$("key-button").addEventListener("click", () => askForKey("Set the API key for this server."));
bindFrameUpload("first", "First frame");
bindFrameUpload("last", "Last frame");
loadCapabilities().then(loadGallery).catch((error) => {
  $("form-error").textContent = error.message;
  $("form-error").hidden = false;
});
