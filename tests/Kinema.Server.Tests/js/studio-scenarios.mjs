// Drives the web studio in headless Debian Chromium through playwright-core:
//   node studio-scenarios.mjs SCENARIO   (env: KINEMA_STUDIO_URL, KINEMA_CHROMIUM, KINEMA_SCREENSHOT)
// Prints one JSON object of what the page showed.
import { chromium } from "playwright-core";

const url = process.env.KINEMA_STUDIO_URL;
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function withPage(viewport, body) {
  const browser = await chromium.launch({ executablePath: process.env.KINEMA_CHROMIUM ?? "/usr/bin/chromium", args, headless: true });
  try {
    const page = await browser.newPage({ viewport, deviceScaleFactor: 1, colorScheme: "dark" });
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const result = await body(page);
    return { ...result, pageErrors };
  } finally {
    await browser.close();
  }
}

/** The newest video the page's key can list. */
const newest = (page) => page.evaluate(async () => (await (await fetch("/v1/videos?limit=1")).json()).data[0]);

/** Polls a video until it is completed or failed; throws after 90 s. */
async function finished(page, id) {
  for (let i = 0; i < 900; i++) {
    const video = await page.evaluate(async (v) => (await fetch(`/v1/videos/${v}`)).json(), id);
    if (video.status === "completed" || video.status === "failed") return video;
    await page.waitForTimeout(100);
  }
  throw new Error(`video ${id} did not finish`);
}

const scenarios = {
  async "generate-and-play"() {
    return withPage({ width: 1200, height: 900 }, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#size option").length > 0);
      // Record every status and progress the cards show, so the test can tell progress was live.
      await page.evaluate(() => {
        window.observed = [];
        new MutationObserver(() => {
          for (const card of document.querySelectorAll(".video-card")) {
            const bar = card.querySelector(".progress");
            window.observed.push({ status: card.dataset.status, progress: Number(bar.getAttribute("aria-valuenow") ?? 0) });
          }
        }).observe(document.getElementById("gallery"), { subtree: true, attributes: true, childList: true });
      });
      const sizes = await page.$$eval("#size option", (options) => options.map((o) => o.value));
      await page.fill("#prompt", "a red ball bounces across a snowy field at sunset");
      await page.selectOption("#size", sizes[sizes.length - 1]);
      await page.fill("#seconds", "4");
      await page.fill("#seed", "7");
      await page.click("#generate");
      await page.waitForSelector(".video-card video", { timeout: 90_000 });
      const video = await page.evaluate(async () => {
        const element = document.querySelector(".video-card video");
        if (element.readyState < 2) await new Promise((resolve, reject) => { element.onloadeddata = resolve; element.onerror = () => reject(new Error("video error")); });
        await element.play().catch(() => {});
        const start = performance.now();
        while (element.currentTime === 0 && performance.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
        return { readyState: element.readyState, currentTime: element.currentTime, videoWidth: element.videoWidth, videoHeight: element.videoHeight, duration: element.duration, error: element.error?.message ?? null, src: element.src.slice(0, 5) };
      });
      await page.waitForTimeout(300);
      if (process.env.KINEMA_SCREENSHOT) await page.screenshot({ path: process.env.KINEMA_SCREENSHOT });
      const observed = await page.evaluate(() => window.observed);
      const card = await page.$eval(".video-card", (c) => ({ status: c.dataset.status, meta: c.querySelector(".meta").textContent, download: c.querySelector(".download").hidden === false }));
      return { sizes, video, observed, card };
    });
  },

  async "advanced-settings"() {
    return withPage({ width: 1200, height: 900 }, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#size option").length > 0);
      const fields = await page.evaluate(() => Object.fromEntries(["steps", "guidance", "guidance-min-sigma", "eta"].map((id) => {
        const input = document.getElementById(id);
        return [id, { min: input.min, max: input.max, placeholder: input.placeholder, visible: input.checkVisibility() }];
      })));
      await page.click("#advanced summary");
      // Out of the model's range the browser refuses to submit, before anything reaches the server.
      await page.fill("#guidance-min-sigma", "1.5");
      const overflow = await page.$eval("#guidance-min-sigma", (input) => ({ rangeOverflow: input.validity.rangeOverflow, message: input.validationMessage }));
      const posts = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/videos") posts.push(request.postDataBuffer()?.toString("latin1") ?? "");
      });
      await page.click("#generate");
      await page.waitForTimeout(300);
      const postsWhileInvalid = posts.length;
      await page.fill("#prompt", "a red ball bounces across a snowy field at sunset");
      await page.fill("#seconds", "1");
      await page.fill("#steps", "2");
      await page.fill("#guidance-min-sigma", "0.5");
      await page.fill("#negative-prompt", "blurry");
      const samplers = await page.$$eval("#sampler option", (options) => options.map((o) => ({ value: o.value, text: o.text })));
      await page.selectOption("#sampler", "euler-a");
      await page.fill("#eta", "0.6");
      await page.click("#generate");
      await page.waitForSelector(".video-card video", { timeout: 90_000 });
      const status = await page.$eval(".video-card", (c) => c.dataset.status);
      return { fields, overflow, postsWhileInvalid, post: posts[0] ?? null, status, samplers };
    });
  },

  async "loop-and-last-frame"() {
    return withPage({ width: 1200, height: 900 }, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#size option").length > 0);
      const posts = [];
      page.on("request", (request) => {
        if (request.method() === "POST") posts.push({ path: new URL(request.url()).pathname, body: request.postDataBuffer()?.toString("latin1") ?? "" });
      });
      // Chromium leaves file bodies out of what the request reports, so record the form's fields as the studio appends them.
      await page.evaluate(() => {
        window.appended = [];
        const append = FormData.prototype.append;
        FormData.prototype.append = function (name, ...rest) { window.appended.push(name); return append.call(this, name, ...rest); };
      });

      // A loop with a frame image is refused on the page, before anything is sent.
      await page.fill("#prompt", "a red ball bounces on green grass");
      await page.fill("#seconds", "2");
      await page.setInputFiles("#last-frame", process.env.KINEMA_TEST_PNG);
      await page.check("#loop");
      await page.click("#generate");
      await page.waitForTimeout(300);
      const refusal = { posts: posts.length, error: await page.$eval("#form-error", (e) => (e.hidden ? null : e.textContent)) };

      // The loop alone goes to the loops route.
      await page.click("#clear-last-frame");
      await page.click("#generate");
      await page.waitForFunction(() => document.querySelectorAll(".video-card").length >= 1);
      const loop = await finished(page, (await newest(page)).id);

      // The last frame alone goes to create as last_frame_reference.
      await page.uncheck("#loop");
      await page.setInputFiles("#last-frame", process.env.KINEMA_TEST_PNG);
      await page.evaluate(() => { window.appended = []; });
      await page.fill("#seconds", "1");
      await page.click("#generate");
      await page.waitForFunction(() => document.querySelectorAll(".video-card").length >= 2);
      const ending = await finished(page, (await newest(page)).id);
      return {
        refusal,
        paths: posts.map((p) => p.path),
        lastFrameFields: await page.evaluate(() => window.appended.filter((n) => n.endsWith("reference"))),
        loop: { status: loop.status, seconds: loop.seconds },
        ending: { status: ending.status, kind: (await page.evaluate(async (v) => (await fetch(`/v1/provenance/${v}`)).json(), ending.id)).kind },
      };
    });
  },

  async "frame-size"() {
    return withPage({ width: 1200, height: 900 }, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#size option").length > 1);
      const sizeChoice = () => page.$eval("#size", (s) => ({ value: s.value, text: s.selectedOptions[0]?.textContent ?? "", fromFrameOffered: !s.querySelector("#size-from-frame").disabled }));
      const before = await sizeChoice();
      await page.fill("#prompt", "a red ball bounces on green grass");
      await page.fill("#seconds", "1");
      await page.setInputFiles("#first-frame", process.env.KINEMA_TEST_PNG);
      const withFrame = await sizeChoice();
      await page.click("#generate");
      await page.waitForFunction(() => document.querySelectorAll(".video-card").length >= 1);
      const video = await finished(page, (await newest(page)).id);
      await page.click("#clear-first-frame");
      const afterRemoval = await sizeChoice();
      return { before, withFrame, afterRemoval, video: { status: video.status, size: video.size } };
    });
  },

  async "phone-layout"() {
    return withPage({ width: 390, height: 844 }, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#size option").length > 0);
      const layout = await page.evaluate(() => {
        const box = (id) => document.getElementById(id).getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          prompt: box("prompt").width,
          generate: { left: box("generate").left, right: box("generate").right },
        };
      });
      return { layout };
    });
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
