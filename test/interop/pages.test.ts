import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { EventState } from "@eventwire/core";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseEnv } from "../../functions/config";
import { type LocalStack, startLocalStack } from "../../functions/local/stack";
import { createLog } from "../../functions/log";
import { type Story, storeStories } from "../support/events";
import { DEBIAN_CHROMIUM } from "../support/interop-setup";
import { DAM_STORY, TALKS_STORY, WIRE_STORY } from "../support/stories";

// The pages for people, served by a running local stack over HTTP and loaded in Debian's
// Chromium (driven by playwright-core): they list the stored events and an event's articles,
// a hostile source's markup shows as text and runs nothing, and a phone-sized screen does not
// scroll sideways. Screenshots go to test/artifacts/.
const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

// The dam story with a fourth article whose summary holds words and an address too long for
// a phone's line; a hostile source's story; a short one.
const LONG_WORDS = {
  source: "long-lines.example",
  published: "2026-05-02T10:00:00Z",
  title: "Engineers inspect the dam spillway after a week of fighting along the Euphrates",
  summary: `An unbroken token ${"x".repeat(200)} and an address https://long-lines.example/${"a".repeat(150)} must wrap.`,
};
const STORIES: Story[] = [
  { ...DAM_STORY, articles: [...DAM_STORY.articles, LONG_WORDS] },
  {
    title: '<script>window.__pwned = "title"</script> Deir ez-Zor raid <img src=x onerror="window.__pwned=1">',
    articles: [
      {
        source: "hostile.example",
        published: "2026-04-30T10:00:00Z",
        title: '<img src=x onerror="window.__pwned=2"> raid <a href="javascript:window.__pwned=3">x</a>',
        summary: '<script>window.__pwned = 4</script> <svg onload="window.__pwned=5"></svg> end',
        storedUrl: "javascript:window.__pwned=6",
      },
    ],
  },
  TALKS_STORY,
  // Syndicated copies, a lead sentence and four days of growth.
  WIRE_STORY,
];

let stack: LocalStack;
let browser: Browser;
let events: EventState[];
const opened: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startLocalStack({
    settings: parseEnv({}),
    host: "127.0.0.1",
    port: 0,
    dataDir: null,
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableName: `interop-pages-${randomBytes(4).toString("hex")}`,
    adminKey: "interop-admin-key-0123456789",
    sources: [],
    scheduleIntervalMs: null,
    log: createLog("json", () => undefined),
  });
  ({ events } = await storeStories(stack.deps.store, STORIES));
  events.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  browser = await chromium.launch({
    executablePath: DEBIAN_CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  for (const context of opened) await context.close();
  await browser?.close();
  await stack?.stop();
});

/** A page in a fresh browser context (phone-sized unless told), loaded from `path`, with what it logged. */
async function open(path: string, options: { viewport?: typeof PHONE; colorScheme?: "light" | "dark" } = {}) {
  const context = await browser.newContext({ viewport: options.viewport ?? PHONE, colorScheme: options.colorScheme ?? "light" });
  opened.push(context);
  const page: Page = await context.newPage();
  const console: string[] = [];
  page.on("console", (message) => console.push(message.text()));
  const response = await page.goto(`${stack.apiUrl}${path}`, { waitUntil: "load" });
  return { page, response, console };
}

// Expressions evaluated in the page (as strings: the tests are typed for Node, not the DOM).
/** The flag a hostile article's markup would set if it ever ran. */
const pwned = (page: Page) => page.evaluate<unknown>("window.__pwned");
const horizontalOverflow = (page: Page) =>
  page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
const computed = (page: Page, selector: string, property: string) =>
  page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);

describe("the pages in Chromium", () => {
  it("lists the events on /, newest first, each linking its page", async () => {
    const { page, response } = await open("/", { viewport: DESKTOP });
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe("ISIS and Syria — eventwire");
    const titles = await page.locator("ol.events h3").allTextContents();
    expect(titles).toEqual(events.map((event) => event.title));
    const links = await page.locator("ol.events h3 a").evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")));
    expect(links).toEqual(events.map((event) => `${stack.apiUrl}/events/${event.id}`));
    await expect(page.locator("ol.events li").first().textContent()).resolves.toContain("4 articles · 4 sources");
    await page.screenshot({ path: `${ARTIFACTS}home-desktop.png`, fullPage: true });
  });

  it("opens an event's page from the list and shows its articles as a timeline", async () => {
    const { page } = await open("/");
    await page.locator("ol.events h3 a", { hasText: "Fighters take Euphrates dam" }).click();
    await page.waitForURL(/\/events\/[0-9a-f]{32}$/);
    expect(await page.locator("h1").textContent()).toBe("Fighters take Euphrates dam");
    expect(await page.locator("ol.timeline h3").allTextContents()).toEqual([
      "Engineers inspect the dam spillway after a week of fighting along the Euphrates",
      "Engineers inspect the dam spillway",
      "SDF holds the Tabqa dam",
      "Dam falls to SDF fighters",
    ]);
    expect(await page.locator("ol.timeline time").first().getAttribute("datetime")).toBe("2026-05-02T10:00:00.000Z");
    expect(await page.locator("dl.facts").textContent()).toContain("Distinct sources4");
    await page.screenshot({ path: `${ARTIFACTS}event-phone.png`, fullPage: true });
  });

  it("shows a hostile source's markup as text and runs none of it", async () => {
    const hostile = events.find((event) => event.title.includes("<script>")) as EventState;
    for (const path of ["/", `/events/${hostile.id}`]) {
      const { page, console } = await open(path);
      expect(await pwned(page), path).toBeUndefined();
      // The only SVG is the page's own growth picture, with no handler on any of its elements.
      expect(await page.locator("main script, main img, main svg:not(.growth)").count(), path).toBe(0);
      const handlers = await page.evaluate<string[]>(
        `[...document.querySelectorAll("main svg, main svg *")].flatMap((node) => node.getAttributeNames().filter((name) => name.startsWith("on")))`,
      );
      expect(handlers, path).toEqual([]);
      expect(await page.locator("main").textContent(), path).toContain(hostile.title);
      // The page's own CSP would refuse a script; none was even tried.
      expect(
        console.filter((line) => /Content Security Policy/.test(line)),
        path,
      ).toEqual([]);
    }
    const { page } = await open(`/events/${hostile.id}`);
    await expect(page.locator("ol.timeline h3").allTextContents()).resolves.toContain(
      '<img src=x onerror="window.__pwned=2"> raid <a href="javascript:window.__pwned=3">x</a>',
    );
    const hrefs = await page.locator("a").evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.length).toBeGreaterThan(5);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
    await page.screenshot({ path: `${ARTIFACTS}event-hostile-phone.png`, fullPage: true });
  });

  it("fits a 375-pixel-wide screen without sideways scrolling", async () => {
    const dam = events.find((event) => event.title === "Fighters take Euphrates dam") as EventState;
    for (const [path, shot] of [
      ["/", "home-phone.png"],
      [`/events/${dam.id}`, "event-long-phone.png"],
    ] as const) {
      const { page } = await open(path, { viewport: PHONE });
      expect(await page.evaluate<number>("window.innerWidth")).toBe(PHONE.width);
      expect(await horizontalOverflow(page), path).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}${shot}`, fullPage: true });
    }
  });

  for (const [name, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`shows each event's lead, its outlets with their carriers and how it grew, on a ${name} screen`, async () => {
      const wire = events.find((event) => event.title === WIRE_STORY.title) as EventState;
      const home = await open("/", { viewport });
      expect(await horizontalOverflow(home.page)).toBe(0);
      const item = home.page.locator("ol.events li", { has: home.page.locator(`a[href$="/events/${wire.id}"]`) });
      expect(await item.locator("p.lead").textContent()).toBe(
        "A U.S. convoy was hit by a roadside bomb near Deir ez-Zor on Friday, Dr. Haddad of the local council said.",
      );
      expect(await item.locator(".carriers").textContent()).toBe(" (also carried by foo-daily.example, bar-times.example)");
      // Every event has its picture, drawn at its size, inside the page.
      const sparks = home.page.locator("ol.events svg.growth-small");
      expect(await sparks.count()).toBe(events.length);
      for (const box of await sparks.evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().toJSON()))) {
        expect(box).toMatchObject({ width: 120, height: 28 });
        expect(box.right).toBeLessThanOrEqual(viewport.width);
      }
      expect(await item.locator("svg.growth-small rect").count()).toBe(3);
      expect(await item.locator("svg.growth-small").getAttribute("aria-label")).toBe(
        "5 articles over 4 days, most on Friday 24 April 2026 (3)",
      );
      // The bars take the accent colour from the page's stylesheet.
      expect(await computed(home.page, "svg.growth-small rect", "fill")).not.toMatch(/^(none|rgb\(0, 0, 0\))$/);
      await home.page.screenshot({ path: `${ARTIFACTS}home-growth-${name}.png`, fullPage: true });

      const event = await open(`/events/${wire.id}`, { viewport });
      expect(await horizontalOverflow(event.page)).toBe(0);
      const chart = await event.page.evaluate<{ svg: { width: number; height: number }; figure: { width: number } }>(
        `(() => { const svg = document.querySelector("svg.growth-large"); return { svg: svg.getBoundingClientRect().toJSON(), figure: svg.parentElement.getBoundingClientRect().toJSON() }; })()`,
      );
      // As wide as the column (larger than in the list), 10rem high.
      expect(chart.svg.width).toBe(chart.figure.width);
      expect(chart.svg.width).toBeGreaterThan(300);
      expect(chart.svg.height).toBe(160);
      expect(await event.page.locator(".growth-axis span").allTextContents()).toEqual(["24 Apr", "27 Apr"]);
      expect(await event.page.locator("figure.growth-figure figcaption").isVisible()).toBe(true);
      await event.page.screenshot({ path: `${ARTIFACTS}event-growth-${name}.png`, fullPage: true });
    });
  }

  it("applies its inline style under its own Content-Security-Policy, light and dark", async () => {
    const light = await open("/", { colorScheme: "light" });
    const dark = await open("/", { colorScheme: "dark" });
    // The style ran only if the policy's hash matches it: unstyled, main has no max-width.
    expect(await computed(light.page, "main", "maxWidth")).not.toBe("none");
    const background = (page: Page) => computed(page, "body", "backgroundColor");
    expect(await background(light.page)).not.toBe(await background(dark.page));
    await dark.page.screenshot({ path: `${ARTIFACTS}home-phone-dark.png`, fullPage: true });
  });

  it("announces feeds that a reader can discover and fetch", async () => {
    const { page } = await open("/");
    const alternates = await page
      .locator('head link[rel="alternate"]')
      .evaluateAll((links) => links.map((link) => ({ type: link.getAttribute("type"), href: link.getAttribute("href") ?? "" })));
    expect(alternates.map((alternate) => alternate.type)).toEqual([
      "application/rss+xml",
      "application/atom+xml",
      "application/feed+json",
      "application/rss+xml",
      "application/atom+xml",
      "application/feed+json",
    ]);
    for (const alternate of alternates) {
      const response = await fetch(alternate.href);
      expect(response.status, alternate.href).toBe(200);
      expect(response.headers.get("content-type"), alternate.href).toContain(alternate.type ?? "?");
    }
  });
});
