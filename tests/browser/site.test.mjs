// Real-browser test of the site built by `runbook build`: headless Debian Chromium driven by
// playwright-core. Builds the example book (unless RUNBOOK_SITE points at a built site), then
// from file:// AND over a local HTTP server (the site served under a sub-path) it:
// searches with "/" + typing, sees a highlighted result, follows it with the keyboard to the
// right step anchor, copies a command, ticks a checklist item, reloads and finds it still
// ticked, resets it, and saves screenshots (light, dark, phone) as CI artifacts.
// Then `runbook serve` on a copy of the book: an edit reloads the open page where it was
// scrolled, a broken template shows the error overlay, and fixing it recovers.
// Fails on any request that leaves the machine and on any page error.
//
// usage: node site.test.mjs        (env: CHROMIUM, RUNBOOK_BIN, RUNBOOK_SITE, BROWSER_ARTIFACTS)

import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, cpSync, readFileSync, writeFileSync, renameSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import net from "node:net";
import http from "node:http";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const artifacts = path.resolve(process.env.BROWSER_ARTIFACTS || path.join(repo, "target/browser-artifacts"));
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), "runbook-browser-"));

function log(msg) { console.log(`browser-test: ${msg}`); }
function check(cond, msg) { if (!cond) throw new Error(`FAILED: ${msg}`); log(`ok - ${msg}`); }

function buildSite() {
  if (process.env.RUNBOOK_SITE) return path.resolve(process.env.RUNBOOK_SITE);
  const out = path.join(work, "sub", "site");
  const env = { ...process.env, RUNBOOK_TODAY: "2026-10-15" };
  if (process.env.RUNBOOK_BIN) {
    execFileSync(process.env.RUNBOOK_BIN, ["build", repo, "-o", out], { stdio: "inherit", env });
  } else {
    execFileSync("cargo", ["run", "--quiet", "--locked", "--", "build", repo, "-o", out], { cwd: repo, stdio: "inherit", env });
  }
  return out;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on("error", reject);
  });
}

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
  ".png": "image/png", ".json": "application/json", ".sh": "text/plain" };

/// A static server for `dir` like a web host configured for a site: any missing URL under
/// `/<site>/` is answered with that site's 404.html and status 404 (nginx `error_page`).
async function startServer(dir, site) {
  const notFound = path.join(site, "404.html");
  const server = http.createServer((req, res) => {
    let file = null;
    try {
      const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
      const candidate = path.resolve(dir, "." + rel);
      if (candidate === dir || candidate.startsWith(dir + path.sep)) {
        const st = statSync(candidate, { throwIfNoEntry: false });
        if (st && st.isDirectory() && existsSync(path.join(candidate, "index.html"))) file = path.join(candidate, "index.html");
        else if (st && st.isFile()) file = candidate;
      }
    } catch (e) { file = null; }
    if (file) {
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(readFileSync(file));
    } else {
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      res.end(readFileSync(notFound));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: server.address().port };
}

async function scenario(context, base, label) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith("file://") && !url.startsWith("http://127.0.0.1") && !url.startsWith("data:")) {
      errors.push(`external request: ${url}`);
    }
  });

  await page.goto(base + "index.html");
  check((await page.locator("h1").first().textContent()).includes("Harbor Freight"), `${label}: index page loads`);
  check(await page.locator("table.runbook-table a").count() >= 7, `${label}: index lists the runbooks`);

  // "/" focuses the search box; typing shows highlighted results.
  await page.keyboard.press("/");
  check(await page.evaluate(() => document.activeElement && document.activeElement.id === "search-input"), `${label}: "/" focuses search`);
  await page.keyboard.type("replicas=0");
  await page.waitForSelector("#search-results li", { timeout: 5000 });
  const first = page.locator("#search-results li").first();
  check((await first.locator("mark").count()) > 0, `${label}: matches are highlighted`);
  check((await first.textContent()).includes("replicas=0"), `${label}: first result is the command`);

  // Arrow keys + Enter follow a result to its step anchor.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await Promise.all([page.waitForURL(/#step-[0-9a-f]{8}$/), page.keyboard.press("Enter")]);
  const hash = new URL(page.url()).hash.slice(1);
  const target = page.locator(`[id="${hash}"]`);
  check(await target.count() === 1, `${label}: result lands on anchor #${hash}`);
  check((await target.getAttribute("class")).includes("step-cmd"), `${label}: the anchor is a command step`);
  check((await target.textContent()).includes("--replicas=0"), `${label}: it is the searched command`);
  check(await target.isVisible() && await target.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0; }), `${label}: the step is scrolled into view`);
  check((await target.locator(".badge-destructive").count()) === 1, `${label}: destructive badge shown`);

  // Copy copies the command without prompt or output.
  const copy = page.locator("#step-2b0b6edf button.copy");
  if (await copy.count()) {
    await copy.click();
    await page.waitForFunction((el) => el.textContent.trim() !== "Copy", await copy.elementHandle(), { timeout: 3000 }).catch(() => {});
    check((await copy.textContent()).trim() !== "Copy", `${label}: copy button reacts (${(await copy.textContent()).trim()})`);
    if (base.startsWith("http")) {
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      check(copied === "kubectl get pods -n logistics -l app=parcel-api", `${label}: clipboard has the command without "$ " or output`);
    }
  }

  // Checklists persist across reloads, per runbook.
  await page.goto(base + "restart.html");
  const box = page.locator("input.task-box").first();
  await box.check();
  await page.reload();
  check(await page.locator("input.task-box").first().isChecked(), `${label}: a ticked checkbox is still ticked after reload`);
  check((await page.locator(".check-progress").textContent()).startsWith("1 of"), `${label}: progress counts it`);
  await page.locator("button.reset-checks").click();
  check(!(await page.locator("input.task-box").first().isChecked()), `${label}: reset unticks it`);
  await page.reload();
  check(!(await page.locator("input.task-box").first().isChecked()), `${label}: reset is persisted`);
  await page.locator("input.task-box").first().check();

  // The review badge says "overdue" only when the date is past for the reader: scaling's
  // review (2025) is, rollback's (2027-01-15) was not when this was written. Every page
  // is checked against the reader's today, so the test holds as dates pass.
  for (const [file, due] of [["scaling.html", true], ["rollback.html", null]]) {
    await page.goto(base + file);
    const review = await page.evaluate(() => {
      const el = document.querySelector("[data-review]");
      const badge = el && el.querySelector(".badge-overdue");
      const d = new Date();
      const pad = (n) => String(n).padStart(2, "0");
      const today = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      return el && { date: el.dataset.review, today, shown: !!badge && badge.getBoundingClientRect().width > 0 };
    });
    const expected = due === null ? review.date < review.today : due;
    check(review && review.shown === expected, `${label}: ${file} shows "overdue" only when its review date has passed (${JSON.stringify(review)})`);
  }

  // Images a runbook shows are copied into the site and load.
  await page.goto(base + "README.html");
  const img = page.locator("article.content img").first();
  check(await img.getAttribute("src") === "img/architecture.svg", `${label}: the image link is relative to the page`);
  await page.waitForFunction((el) => el.complete, await img.elementHandle(), { timeout: 5000 });
  check(await img.evaluate((el) => el.naturalWidth) > 0, `${label}: the image loads (naturalWidth > 0)`);

  check(errors.length === 0, `${label}: no page errors or external requests ${errors.join("; ")}`);
  return page;
}

/// A missing nested URL gets the 404 page: styled without its stylesheet file, and its link
/// back finds the site, whether a page of the site was seen before (localStorage) or not.
async function notFound(context, base) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  for (const remembered of [true, false]) {
    const label = `404 (${remembered ? "site root remembered" : "site root probed"})`;
    await page.goto(base + "index.html");
    if (!remembered) await page.evaluate(() => localStorage.clear());
    const response = await page.goto(base + "database/nope/deeper/missing.html");
    check(response.status() === 404, `${label}: a missing nested URL answers 404`);
    check((await page.locator("h1").textContent()).includes("Page not found"), `${label}: the 404 page is shown`);
    const styled = await page.evaluate(() => ({
      topbar: getComputedStyle(document.querySelector(".topbar")).display,
      sheets: document.styleSheets.length,
      failed: performance.getEntriesByType("resource").filter((r) => r.initiatorType === "link").length,
    }));
    check(styled.topbar === "flex" && styled.sheets === 1 && styled.failed === 0, `${label}: it is styled with no stylesheet request (${JSON.stringify(styled)})`);
    const home = page.locator("a.home-link");
    await page.waitForFunction((el) => el.href.endsWith("/index.html") && !el.href.includes("/nope/"), await home.elementHandle(), { timeout: 5000 });
    check(await home.evaluate((el) => el.href) === base + "index.html", `${label}: the link back points at the site's index`);
    check(await page.locator("a.brand").evaluate((el) => el.href) === base + "index.html", `${label}: so does the title`);
    await Promise.all([page.waitForURL(base + "index.html"), home.click()]);
    check((await page.locator("h1").first().textContent()).includes("Harbor Freight"), `${label}: following it opens the index`);
    await page.goto(base + "database/nope/deeper/missing.html");
    await page.screenshot({ path: path.join(artifacts, "404.png") });
  }
  check(errors.length === 0, `404: no page errors ${errors.join("; ")}`);
  await page.close();
}

/// The example book with a tiny shard size (so its search index is split into term and
/// document shards) and a heading that is HTML: a query loads only some shards, finds and
/// follows the command, and shows the heading as text.
async function splitSearch(context) {
  const book = path.join(work, "split");
  cpSync(path.join(repo, "content"), path.join(book, "content"), { recursive: true });
  writeFileSync(path.join(book, "book.toml"), readFileSync(path.join(repo, "book.toml"), "utf8") + "\n[site]\nsearch_shard_size = 2048\n");
  writeFileSync(path.join(book, "content", "escaping.md"), "# Escaping\n\n## <img src=x onerror=alert(1)> heading\n\n```bash\necho onerror-test\n```\n");
  const out = path.join(work, "split-site");
  const env = { ...process.env, RUNBOOK_TODAY: "2026-10-15" };
  const args = ["build", book, "-o", out];
  if (process.env.RUNBOOK_BIN) execFileSync(process.env.RUNBOOK_BIN, args, { stdio: "inherit", env });
  else execFileSync("cargo", ["run", "--quiet", "--locked", "--", ...args], { cwd: repo, stdio: "inherit", env });
  const shardFiles = readdirSync(path.join(out, "search"));
  check(shardFiles.filter((f) => f.startsWith("t")).length > 3 && shardFiles.filter((f) => f.startsWith("d")).length > 3, `split: the index is split (${shardFiles.length} shards)`);

  const page = await context.newPage();
  const errors = [];
  const loaded = new Set();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  page.on("request", (req) => {
    const m = req.url().match(/\/search\/([td]\d+\.js)$/);
    if (m) loaded.add(m[1]);
  });
  const base = pathToFileURL(out).href + "/";
  await page.goto(base + "database/postgres-failover.html");
  await page.keyboard.press("/");
  // One input event, so only this query's shards load (typing would search each prefix).
  await page.fill("#search-input", "replicas=0");
  await page.waitForFunction(() => { const li = document.querySelector("#search-results li"); return li && li.textContent.includes("replicas=0"); }, null, { timeout: 5000 });
  const first = page.locator("#search-results li").first();
  check((await first.locator("mark").count()) > 0, "split: matches are highlighted");
  check(loaded.size > 0 && loaded.size < shardFiles.length / 4, `split: the query loaded ${loaded.size} of ${shardFiles.length} shards (${[...loaded].sort().join(" ")})`);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await Promise.all([page.waitForURL(/#step-[0-9a-f]{8}$/), page.keyboard.press("Enter")]);
  const hash = new URL(page.url()).hash.slice(1);
  check(page.url().startsWith(base) && (await page.locator(`[id="${hash}"]`).textContent()).includes("--replicas=0"), `split: Enter follows the hit to #${hash}, from a page in a sub-folder`);

  await page.keyboard.press("/");
  await page.keyboard.type("onerror");
  await page.waitForSelector("#search-results li", { timeout: 5000 });
  const texts = await page.locator("#search-results li").allTextContents();
  check(texts.some((t) => t.includes("<img src=x onerror=alert(1)> heading")), `split: an HTML heading shows as text (${texts[0]})`);
  check(await page.locator("#search-results img").count() === 0, "split: and never as markup");
  await page.keyboard.press("Escape");
  await page.keyboard.press("/");
  await page.keyboard.type("zzzqqq");
  await page.waitForFunction(() => document.getElementById("search-status").textContent.includes("No matches"), null, { timeout: 5000 });
  check(true, "split: no matches is said");
  check(errors.length === 0, `split: no page errors or dialogs ${errors.join("; ")}`);
  await page.close();
}

/// Saves like an editor: a temporary file renamed over the target.
function save(file, text) {
  const tmp = path.join(path.dirname(file), ".browser-test-save.tmp");
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port}`);
}

async function liveReload(context) {
  const book = path.join(work, "live");
  cpSync(path.join(repo, "content"), path.join(book, "content"), { recursive: true });
  cpSync(path.join(repo, "book.toml"), path.join(book, "book.toml"));
  const port = await freePort();
  const env = { ...process.env, RUNBOOK_TODAY: "2026-10-15" };
  const args = ["serve", book, "--port", String(port)];
  const proc = process.env.RUNBOOK_BIN
    ? spawn(process.env.RUNBOOK_BIN, args, { stdio: ["ignore", "ignore", "inherit"], env })
    : spawn("cargo", ["run", "--quiet", "--locked", "--", ...args], { cwd: repo, stdio: ["ignore", "ignore", "inherit"], env });
  try {
    await waitForPort(port);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/restart.html`);
    await page.evaluate(() => window.scrollTo(0, 900));
    const before = await page.evaluate(() => window.scrollY);
    check(before > 500, "serve: page scrolled before the edit");

    const file = path.join(book, "content", "restart.md");
    const original = readFileSync(file, "utf8");
    save(file, original + "\nEdited live from the browser test.\n");
    await page.waitForSelector("text=Edited live from the browser test.", { timeout: 15000 });
    await page.waitForLoadState("load");
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 80, before, { timeout: 5000 });
    check(true, "serve: the edit reloaded the page and kept the scroll position");

    const templates = path.join(book, "templates");
    mkdirSync(templates, { recursive: true });
    writeFileSync(path.join(templates, "runbook.html"), "{% if %}broken\n");
    const overlay = page.locator("#runbook-serve-error");
    await overlay.waitFor({ state: "visible", timeout: 15000 });
    const message = await overlay.textContent();
    check(message.includes("runbook.html"), `serve: a broken template shows the error overlay (${message.split("\n").slice(0, 3).join(" | ")})`);

    rmSync(templates, { recursive: true, force: true });
    save(file, original);
    await page.waitForFunction(() => !document.getElementById("runbook-serve-error") &&
      !document.body.textContent.includes("Edited live from the browser test."), null, { timeout: 15000 });
    check(true, "serve: fixing it recovers (page reloaded, overlay gone)");
    await page.close();
  } finally {
    proc.kill("SIGINT");
  }
}

async function main() {
  const site = buildSite();
  check(existsSync(path.join(site, "index.html")), `site built at ${site}`);
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  const userDataDir = mkdtempSync(path.join(tmpdir(), "runbook-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const server = await startServer(path.dirname(site), site);
  try {
    const fileBase = pathToFileURL(site).href + "/";
    const page = await scenario(context, fileBase, "file://");
    await page.goto(fileBase + "restart.html#step-70aeb7b7");
    await page.screenshot({ path: path.join(artifacts, "runbook-light.png"), fullPage: false });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(artifacts, "runbook-dark.png"), fullPage: false });
    await page.emulateMedia({ colorScheme: "light" });

    const httpBase = `http://127.0.0.1:${server.port}/${path.basename(site)}/`;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: `http://127.0.0.1:${server.port}` });
    const httpPage = await scenario(context, httpBase, "http sub-path");
    await notFound(context, httpBase);
    await httpPage.goto(httpBase + "index.html");
    await httpPage.keyboard.press("/");
    await httpPage.keyboard.type("failover");
    await httpPage.waitForSelector("#search-results li");
    await httpPage.screenshot({ path: path.join(artifacts, "index-search.png") });
    await httpPage.setViewportSize({ width: 390, height: 844 });
    await httpPage.goto(httpBase + "restart.html");
    await httpPage.screenshot({ path: path.join(artifacts, "runbook-phone.png") });
    await httpPage.goto(httpBase + "severity.html");
    await httpPage.setViewportSize({ width: 1280, height: 900 });
    await httpPage.screenshot({ path: path.join(artifacts, "severity.png") });
    log(`screenshots in ${artifacts}`);
    await splitSearch(context);
    await liveReload(context);
  } finally {
    server.server.close();
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    if (!process.env.RUNBOOK_SITE) rmSync(work, { recursive: true, force: true });
  }
  log("all checks passed");
}

main().catch((err) => { console.error(err); process.exit(1); });
