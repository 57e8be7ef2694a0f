import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { wordTokens } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OUTLETS, type DemoFeedServer, loadDemoCorpus, startDemoFeedServer } from "../../functions/local/demo/feed-server";
import type { LocalStack } from "../../functions/local/stack";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { DEBIAN_PYTHON } from "../support/interop-setup";
import { ingestNow, startInteropStack } from "../support/interop-stack";

// A running local stack (the one `npm start` runs) serves its feeds over HTTP, and software a
// subscriber would use reads them: Debian's python3-feedparser for RSS and Atom, and a JSON
// Feed 1.1 schema check with python3-jsonschema for JSON Feed. Feeds are ten items a page, so
// every reading also follows the next-page links through all pages.
const _ADMIN_KEY = "interop-admin-key-0123456789";
const READER = new URL("./read_feed.py", import.meta.url).pathname;
const run = promisify(execFile);

let stack: LocalStack;
let demo: DemoFeedServer;
let extra: TestHttpServer;
let titles: string[];
let events: {
  id: string;
  title: string;
  articleCount: number;
  terms: string[];
  entities: { name: string }[];
}[];

type Reading = {
  ok: boolean;
  problems: string[];
  version: string;
  count: number;
  titles: string[];
  links: string[];
  ids: string[];
  pages: number;
  page_links: Record<string, string>;
};
const PAGE_SIZE = 10;
/** Served beside the demo's feeds: titles with markup characters and entities. */
const EXTRA_FEEDS = ["feeds/rss2.xml", "feeds/hostile.xml"] as const;

async function read(mode: "xml" | "json", url: string): Promise<Reading> {
  const { stdout } = await run(DEBIAN_PYTHON, [READER, mode, url], { timeout: 30_000 });
  return JSON.parse(stdout) as Reading;
}

beforeAll(async () => {
  const corpus = loadDemoCorpus();
  demo = await startDemoFeedServer({ corpus, batchSize: corpus.length, releaseEveryMs: 60_000 });
  // Feeds whose titles carry markup characters and entities, to check they survive the round trip.
  extra = await startTestServer({
    "/wire.rss": serveAlways(fixture(EXTRA_FEEDS[0]), "application/rss+xml"),
    "/hostile.rss": serveAlways(fixture(EXTRA_FEEDS[1]), "application/rss+xml"),
  });
  stack = await startInteropStack([...demo.feedUrls, `${extra.url}/wire.rss`, `${extra.url}/hostile.rss`], PAGE_SIZE);
  expect(await ingestNow(stack)).toBe(200);
  const articles = (await (await fetch(`${stack.apiUrl}/api/v1/articles?limit=100`)).json()) as {
    items: { title: string; onTheme: boolean }[];
  };
  expect(articles.items.length).toBe(corpus.length + 4);
  // The feeds serve what the matcher judged on-theme: the corpus's stories, not its off-theme items.
  titles = articles.items.filter((article) => article.onTheme).map((article) => article.title);
  expect(titles.length).toBeGreaterThanOrEqual(corpus.filter((article) => article.theme === "isis-syria").length);
  expect(titles.length).toBeGreaterThan(PAGE_SIZE);
  const listed = (await (await fetch(`${stack.apiUrl}/api/v1/events?limit=100`)).json()) as { items: typeof events };
  events = listed.items;
  expect(events.length).toBeGreaterThan(1);
});

afterAll(async () => {
  await stack?.stop();
  await demo?.close();
  await extra?.close();
});

describe("feeds read by real clients", () => {
  it.each([
    ["rss", "rss20"],
    ["atom", "atom10"],
  ])("python3-feedparser reads the %s feed cleanly (bozo 0), every article, in order", async (format, version) => {
    const reading = await read("xml", `${stack.apiUrl}/feeds/isis-syria.${format}`);
    expect(reading.problems).toEqual([]);
    expect(reading.ok).toBe(true);
    expect(reading.version).toBe(version);
    expect(reading.count).toBe(titles.length);
    expect(reading.pages).toBe(Math.ceil(titles.length / PAGE_SIZE));
    expect(reading.titles).toEqual(titles);
    expect(reading.links.every((link) => /^https?:\/\//.test(link))).toBe(true);
  });

  it.each([
    ["rss", "rss20"],
    ["atom", "atom10"],
  ])("python3-feedparser reads the %s events feed cleanly, one item per event, in order", async (format, version) => {
    const reading = await read("xml", `${stack.apiUrl}/feeds/isis-syria/events.${format}`);
    expect(reading.problems).toEqual([]);
    expect(reading.version).toBe(version);
    expect(reading.ids).toEqual(events.map((event) => `urn:eventwire:event:${event.id}`));
    expect(reading.titles).toEqual(events.map((event) => event.title));
    expect(reading.links).toEqual(events.map((event) => `${stack.apiUrl}/events/${event.id}`));
  });

  it.each([
    ["rss", "rss20"],
    ["atom", "atom10"],
  ])("python3-feedparser reads each event's %s feed cleanly, every article once", async (format, version) => {
    for (const event of events) {
      const reading = await read("xml", `${stack.apiUrl}/feeds/events/${event.id}.${format}`);
      expect(reading.problems).toEqual([]);
      expect(reading.version).toBe(version);
      expect(reading.count).toBe(event.articleCount);
      expect(new Set(reading.ids).size).toBe(event.articleCount);
    }
  });

  it("python3-feedparser sees the RFC 5005 links of a middle page", async () => {
    const first = await read("xml", `${stack.apiUrl}/feeds/isis-syria.atom`);
    const second = await read("xml", first.page_links.next ?? "");
    expect(second.page_links).toMatchObject({
      first: `${stack.apiUrl}/feeds/isis-syria.atom`,
      previous: expect.stringContaining("cursor="),
    });
    // Read from the second page on: every article after the first page.
    expect(second.titles).toEqual(titles.slice(PAGE_SIZE));
  });

  it(".xml is RSS unless Accept prefers Atom", async () => {
    expect((await read("xml", `${stack.apiUrl}/feeds/isis-syria/events.xml`)).version).toBe("rss20");
    const atom = await fetch(`${stack.apiUrl}/feeds/isis-syria/events.xml`, { headers: { accept: "application/atom+xml" } });
    expect(atom.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
  });

  it("the JSON Feed is valid JSON Feed 1.1 with every article, in order", async () => {
    const reading = await read("json", `${stack.apiUrl}/feeds/isis-syria.json`);
    expect(reading.problems).toEqual([]);
    expect(reading.version).toBe("https://jsonfeed.org/version/1.1");
    expect(reading.count).toBe(titles.length);
    expect(reading.pages).toBe(Math.ceil(titles.length / PAGE_SIZE));
    expect(reading.titles).toEqual(titles);
  });

  it("the events JSON Feed and each event's JSON Feed are valid JSON Feed 1.1", async () => {
    const reading = await read("json", `${stack.apiUrl}/feeds/isis-syria/events.json`);
    expect(reading.problems).toEqual([]);
    expect(reading.ids).toEqual(events.map((event) => `urn:eventwire:event:${event.id}`));
    for (const event of events) {
      const single = await read("json", `${stack.apiUrl}/feeds/events/${event.id}.json`);
      expect(single.problems).toEqual([]);
      expect(single.count).toBe(event.articleCount);
    }
  });

  it("the demo's events show the words their articles wrote, and no outlet among their entities", async () => {
    // Every word the sources wrote: the corpus, and the two fixture feeds (markup and all).
    const texts = [...loadDemoCorpus().map((article) => `${article.title} ${article.text}`), ...EXTRA_FEEDS.map(fixture)];
    const written = new Set(texts.flatMap((text) => wordTokens(text)));
    for (const event of events) {
      expect(event.terms.length, event.title).toBeGreaterThan(0);
      expect(
        event.terms.filter((term) => !written.has(term)),
        event.title,
      ).toEqual([]);
      const outlets = DEMO_OUTLETS.map((outlet) => outlet.name.toLowerCase());
      expect(
        event.entities.filter((entity) => outlets.includes(entity.name)),
        event.title,
      ).toEqual([]);
    }
  });

  it("the schema check catches a feed that breaks the spec", async () => {
    const broken = await startTestServer({
      "/broken.json": serveAlways(
        JSON.stringify({
          version: "https://jsonfeed.org/version/1.1",
          title: "x",
          items: [{ title: "no id, no content" }],
          colour: "red",
        }),
        "application/feed+json",
      ),
    });
    const reading = await read("json", `${broken.url}/broken.json`);
    await broken.close();
    expect(reading.ok).toBe(false);
    expect(reading.problems.join("\n")).toMatch(/'id' is a required property/);
    expect(reading.problems.join("\n")).toMatch(/colour/);
  });
});
