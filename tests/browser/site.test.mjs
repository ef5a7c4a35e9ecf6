// Real-browser test of the site built by `runbook build`: headless Debian Chromium driven by
// playwright-core. Builds the example book (unless RUNBOOK_SITE points at a built site), then
// from file:// AND over a local HTTP server (the site served under a sub-path) it:
// searches with "/" + typing, sees a highlighted result, follows it with the keyboard to the
// right step anchor, copies a command, ticks a checklist item, reloads and finds it still
// ticked, resets it, and saves screenshots (light, dark, phone) as CI artifacts.
// Fails on any request that leaves the machine and on any page error.
//
// usage: node site.test.mjs        (env: CHROMIUM, RUNBOOK_BIN, RUNBOOK_SITE, BROWSER_ARTIFACTS)

import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import net from "node:net";

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

async function startServer(dir) {
  const port = await freePort();
  const proc = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (up) return { proc, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error("the HTTP server did not start");
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

  check(errors.length === 0, `${label}: no page errors or external requests ${errors.join("; ")}`);
  return page;
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
  const server = await startServer(path.dirname(site));
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
  } finally {
    server.proc.kill();
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    if (!process.env.RUNBOOK_SITE) rmSync(work, { recursive: true, force: true });
  }
  log("all checks passed");
}

main().catch((err) => { console.error(err); process.exit(1); });
