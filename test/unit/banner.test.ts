import { createSource, type Source } from "@eventwire/core";
import { describe, expect, it } from "vitest";
import { type StartBannerInput, startBanner } from "../../functions/local/banner";

const NOW = new Date("2026-12-06T10:00:00Z");

function source(url: string, state: Partial<Source> = {}): Source {
  const built = createSource({ url }, NOW);
  if (!built.ok) throw new Error(built.reason);
  return { ...built.source, ...state };
}

function unresolved(host: string): Partial<Source> {
  return { lastError: `host "${host}" does not resolve (ENOTFOUND)`, consecutiveFailures: 1 };
}

function banner(input: Partial<StartBannerInput>): string {
  return startBanner({
    apiUrl: "http://127.0.0.1:8787",
    theme: "isis-syria",
    dynamoEndpoint: "http://127.0.0.1:8000",
    tableName: "eventwire",
    adminKey: "in .data/admin-key",
    dataDir: "/srv/eventwire/.data",
    demo: null,
    sources: [],
    refused: [],
    nodeVersion: "v22.23.3",
    ...input,
  });
}

/** The lines of a banner that speak of sources, and the offline hint. */
function sourceLines(text: string): string[] {
  return text.split("\n").filter((line) => /sources|not added|back-off|npm run demo/.test(line));
}

describe("startBanner", () => {
  it("happy: names the home page first, then the API, feeds and health", () => {
    const lines = banner({}).split("\n");
    expect(lines[1]).toBe("eventwire is running");
    expect(lines[2]).toBe("  home       http://127.0.0.1:8787/");
    expect(lines.slice(3, 6).map((line) => line.trim().split(/\s+/)[0])).toEqual(["API", "feeds", "health"]);
  });

  it("happy: healthy sources get one line and no offline hint", () => {
    const text = banner({ sources: [source("https://a.example/rss", { lastSuccessAt: NOW.toISOString() })] });
    expect(sourceLines(text)).toEqual(["  sources    1 enabled, 0 failing"]);
  });

  it("offline: says how many sources fail and why, that they are retried, and points to the demo", () => {
    const sources = [
      source("https://www.theguardian.com/world/syria/rss", unresolved("www.theguardian.com")),
      source("https://feeds.bbci.co.uk/news/world/middle_east/rss.xml", unresolved("feeds.bbci.co.uk")),
      source("https://off.example/rss", { enabled: false, lastError: "gone" }),
    ];
    expect(sourceLines(banner({ sources }))).toEqual([
      '  sources    2 enabled, 2 failing: host "www.theguardian.com" does not resolve (ENOTFOUND)',
      "             each is retried with back-off; `npm run cli -- sources list` says why each fails",
      "             no internet here? `npm run demo` runs on a bundled sample corpus, no network needed",
    ]);
  });

  it("error: lists configured URLs that could not be added, with the reason", () => {
    const refused = [{ url: "http://10.0.0.7/feed", error: "10.0.0.7 is a private address" }];
    const lines = sourceLines(banner({ refused }));
    expect(lines).toContain("  not added  http://10.0.0.7/feed: 10.0.0.7 is a private address");
    expect(lines.at(-1)).toContain("`npm run demo`");
  });

  it("error: no sources at all says how to add one", () => {
    expect(sourceLines(banner({}))).toEqual([
      "  sources    none: set EVENTWIRE_SOURCES or EVENTWIRE_SOURCES_FILE, or add one with `npm run cli -- sources add URL`",
    ]);
  });

  it("demo: names the demo's feed server, and never sends people to the demo they are running", () => {
    const text = banner({
      demo: { outlets: 3, feedsUrl: "http://127.0.0.1:9000", batch: 3, everySeconds: 8 },
      dataDir: null,
      sources: [source("http://127.0.0.1:9000/feeds/a.rss", unresolved("127.0.0.1"))],
    });
    expect(text).toContain("eventwire is running (demo)");
    expect(text).toContain("  demo       3 outlets on http://127.0.0.1:9000, 3 articles every 8 s");
    expect(text).not.toContain("npm run demo");
  });

  it.each([
    ["v20.19.0", true],
    ["v21.7.3", true],
    ["v22.23.3", false],
    ["v24.1.0", false],
  ])("on node %s says Node 22 LTS is needed: %s", (nodeVersion, warned) => {
    const text = banner({ nodeVersion });
    expect(text.includes(`  node       ${nodeVersion} is past its end of life; use Node.js 22 LTS`)).toBe(warned);
  });
});
