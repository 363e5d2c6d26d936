// The workbench in a real browser (Debian's Chromium driven by playwright-core; nothing is
// downloaded): type an error, see it at its line, fix it, see the preview come back, switch
// to English, try a case and compare its deadline with `charter decide`, save, and be
// refused when the file changed on disk. Screenshots of each state go to SCREENSHOTS.
//
//   CHARTER_BIN=target/debug/charter node web/tests/workbench.mjs
//
// Environment: CHARTER_BIN (default target/debug/charter), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOTS (default web/test-results).
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(root, process.env.CHARTER_BIN ?? "target/debug/charter");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(root, process.env.SCREENSHOTS ?? "web/test-results");
mkdirSync(shots, { recursive: true });

// A copy of the complaint office (and the calendars it imports) to edit.
const work = mkdtempSync(join(tmpdir(), "charter-workbench-"));
cpSync(join(root, "policies/complaint-office"), join(work, "complaint-office"), { recursive: true });
cpSync(join(root, "policies/calendars"), join(work, "calendars"), { recursive: true });
const policyFile = join(work, "complaint-office/policy.charter");
const original = readFileSync(policyFile, "utf8");

const server = spawn(bin, ["workbench", join(work, "complaint-office"), "--addr", "127.0.0.1:0"], {
  stdio: ["ignore", "ignore", "pipe"],
});
const url = await new Promise((ok, fail) => {
  let seen = "";
  const timer = setTimeout(() => fail(new Error(`no address from charter workbench: ${seen}`)), 30_000);
  server.stderr.on("data", (chunk) => {
    seen += chunk;
    const found = seen.match(/at (http:\/\/\S+\/);/);
    if (found) {
      clearTimeout(timer);
      ok(found[1]);
    }
  });
  server.on("exit", (code) => fail(new Error(`charter workbench exited ${code}: ${seen}`)));
});

const browser = await chromium.launch({
  executablePath: browserPath,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const failures = [];
let current = null;
const step = async (name, body) => {
  process.stdout.write(`${name} ... `);
  try {
    await body();
    console.log("ok");
  } catch (e) {
    console.log("FAILED");
    failures.push([name, e]);
    if (current) await current.screenshot({ path: join(shots, "failed.png") }).catch(() => {});
    throw e;
  }
};

try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  current = page;
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && console.error(`  [page] ${m.text()}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
  const checks = () => page.evaluate(() => window.__charterRoundTrips.length);
  const settled = async (before) => {
    await page.waitForFunction((n) => window.__charterRoundTrips.length > n, before, { timeout: 10_000 });
  };
  // The editor's "go to line" (Ctrl-Alt-G), then the end of that line.
  const goToLine = async (line) => {
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+Alt+g");
    await page.locator(".cm-goto-line input").fill(String(line));
    await page.keyboard.press("Enter");
    await page.keyboard.press("End");
  };

  await step("the page opens on the policy with no errors", async () => {
    await page.goto(url);
    await page.waitForFunction(() => window.__charterRoundTrips.length > 0);
    assert.equal(await page.title(), "charter 工作台");
    assert.match(await page.locator("#problem-list .summary").innerText(), /^0 错误/);
    assert.equal(await page.locator(".cm-line").first().innerText(), original.split("\n")[0]);
    await page.locator("#tab-documents").click();
    await page.locator("#doc-kind").selectOption("role:office_director");
    await page.frameLocator("#preview").locator("h1").first().waitFor();
    assert.match(await page.frameLocator("#preview").locator("body").innerText(), /投诉办主任/);
    await shot("1-opened");
  });

  await step("a typo shows a diagnostic at its line, with the checker's fix", async () => {
    const before = await checks();
    await goToLine(68);
    for (let i = 0; i < "officer".length; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("oficer");
    await settled(before);
    // The preview says the policy must be mended first.
    await page.frameLocator("#preview").locator("p").waitFor();
    assert.match(await page.frameLocator("#preview").locator("body").innerText(), /政策有错误/);
    await page.locator("#tab-problems").click();
    const problem = page.locator("#problem-list li.problem.error").first();
    await problem.waitFor();
    assert.equal(await problem.getAttribute("data-line"), "68");
    assert.match(await problem.innerText(), /complaint_oficer/);
    assert.match(await problem.locator(".jump").innerText(), /policy\.charter:68:/);
    assert.equal(await page.locator(".cm-lintRange-error").count() > 0, true, "the typo is underlined");
    await shot("2-typo");
  });

  await step("the fix removes it and the preview comes back", async () => {
    const before = await checks();
    await page.locator("#problem-list .fix").first().click();
    await settled(before);
    assert.equal(await page.locator("#problem-list li.problem.error").count(), 0);
    assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
    await page.locator("#tab-documents").click();
    await page.frameLocator("#preview").locator("h1").first().waitFor();
    assert.match(await page.frameLocator("#preview").locator("body").innerText(), /投诉办主任/);
    await shot("3-fixed");
  });

  await step("the page and the documents speak English", async () => {
    await page.locator("#lang").selectOption("en");
    assert.equal(await page.title(), "charter workbench");
    assert.equal(await page.locator("#tab-case").innerText(), "Try a case");
    assert.equal(await page.locator("#doc-lang").inputValue(), "en", "the documents follow the page");
    await page.frameLocator("#preview").getByText("Complaint office director").first().waitFor();
    await shot("4-english");
  });

  await step("a case decided in the form has the deadline charter decide gives", async () => {
    const kase = {
      id: "WB-1",
      received_at: "2026-11-27T16:30:00+08:00",
      channel: "phone",
      category: "service_quality",
      severity: "normal",
      fields: { customer_name: "王女士", contact: "138 0000 1234", content: "投诉内容" },
      attributes: { amount: 6000, departments: ["quality"] },
      events: [{ at: "2026-11-27T17:00:00+08:00", kind: "acknowledged" }],
    };
    const now = "2026-11-30T12:00:00+08:00";
    const expected = JSON.parse(
      execFileSync(bin, ["decide", "--policy", join(work, "complaint-office"), "--no-id", "--now", now, "-"], {
        input: JSON.stringify(kase),
      }).toString(),
    );
    await page.locator("#tab-case").click();
    await page.locator("#case-id").fill(kase.id);
    await page.locator("#case-channel").selectOption(kase.channel);
    await page.locator("#case-category").selectOption(kase.category);
    await page.locator("#case-severity").selectOption(kase.severity);
    await page.locator("#case-received").fill(kase.received_at);
    for (const [name, value] of Object.entries(kase.fields)) await page.locator(`#field-${name}`).fill(value);
    await page.locator("#attr-amount").fill("6000");
    await page.locator("#attr-departments").fill("quality");
    await page.locator("#add-event").click();
    await page.locator("#event-list .event-kind").first().selectOption("acknowledged");
    await page.locator("#event-list .event-at").first().fill(kase.events[0].at);
    await page.locator("#case-now").fill(now);
    await page.locator("#decide").click();
    await page.locator("#targets").waitFor();
    for (const target of expected.targets) {
      const name = target.stage ? `${target.stage}.${target.name}` : target.name;
      const row = page.locator(`#targets tr[data-target="${name}"]`);
      assert.equal(await row.locator(".deadline").innerText(), target.deadline ?? "—", name);
    }
    const words = await page.locator(".words").innerText();
    assert.match(words, new RegExp(expected.route.role));
    assert.equal(expected.route.role, "coordinator", "amount 6000 goes to the coordinator");
    assert.match(words, /Cross-department coordinator/, "the role by its English title");
    await page.locator("#decision").scrollIntoViewIfNeeded();
    await shot("5-case");
  });

  await step("saving writes the file and keeps the previous text", async () => {
    await page.locator("#tab-changes").click();
    await goToLine(1);
    await page.keyboard.press("Home");
    const before = await checks();
    await page.keyboard.type("# 已在工作台中审阅\n");
    await settled(before);
    await page.locator("#diff").waitFor();
    await page.keyboard.press("Control+s");
    await page.locator("#status", { hasText: "Saved: policy.charter" }).waitFor();
    const saved = readFileSync(policyFile, "utf8");
    assert.equal(saved, "# 已在工作台中审阅\n" + original);
    assert.equal(readFileSync(policyFile + ".bak", "utf8"), original);
    await shot("6-saved");
  });

  await step("a file changed on disk meanwhile is not overwritten", async () => {
    const onDisk = readFileSync(policyFile, "utf8") + "# changed by someone else\n";
    writeFileSync(policyFile, onDisk);
    await goToLine(1);
    await page.keyboard.type("x");
    await page.locator("#save").click();
    await page.locator("#status.error").waitFor();
    assert.match(await page.locator("#status").innerText(), /changed on disk/);
    assert.equal(readFileSync(policyFile, "utf8"), onDisk);
    await shot("7-conflict");
  });

  await step("check-as-you-type answers in under 100 ms", async () => {
    // Twenty edits, each after the page has checked the one before.
    await goToLine(3);
    const first = await checks();
    for (let i = 0; i < 20; i++) {
      const before = await checks();
      await page.keyboard.type(i % 2 ? "\n" : "#");
      await settled(before);
    }
    const trips = await page.evaluate((n) => window.__charterRoundTrips.slice(n), first);
    trips.sort((a, b) => a - b);
    const median = trips[Math.floor(trips.length / 2)];
    console.log(`\n  round trips: ${trips.length}, median ${median.toFixed(1)} ms, max ${trips[trips.length - 1].toFixed(1)} ms`);
    assert.ok(median < 100, `median ${median} ms`);
  });

  assert.deepEqual(errors, [], "no script errors and no failed requests");
  const bundle = statSync(join(root, "src/serve/workbench/dist/assets/app.js")).size;
  console.log(`bundle: app.js ${(bundle / 1024).toFixed(0)} KiB; screenshots in ${shots}`);
} finally {
  await browser.close();
  server.kill();
}
if (failures.length) process.exit(1);
