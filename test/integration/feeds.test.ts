import { type App, createApp } from "@eventwire/api";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeFixtureFeedsOnTheme } from "../support/articles";
import { createTestDeps, type TestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

let db: TestStore;
let deps: TestDeps;
let app: App;
// rss2.xml has 3 items, atom.xml 2, hostile.xml 1.
const ITEM_COUNT = 6;

beforeAll(async () => {
  db = await createTestStore();
  deps = createTestDeps(db.store);
  app = createApp(deps);
  const stored = await storeFixtureFeedsOnTheme(db.store, ["rss2.xml", "atom.xml", "hostile.xml"]);
  expect(stored).toHaveLength(ITEM_COUNT);
});

afterAll(async () => {
  await db.drop();
});

describe("feeds", () => {
  describe("happy", () => {
    it.each([
      ["rss", "application/rss+xml; charset=utf-8"],
      ["atom", "application/atom+xml; charset=utf-8"],
    ])("serves %s that parses with every stored article, newest first", async (format, contentType) => {
      const response = await app.request(`/feeds/isis-syria.${format}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(contentType);
      const feed = await new Parser().parseString(await response.text());
      expect(feed.items).toHaveLength(ITEM_COUNT);
      // Its date cannot be read, so it counts as published when it was fetched: the newest.
      expect(feed.items[0]?.title).toBe("Court hears case of returned fighter");
      const dates = feed.items.map((item) => Date.parse(item.isoDate ?? ""));
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);
      expect(feed.items.map((item) => item.link)).toContain("https://fixture-wire.example/news/checkpoint-attack?id=7");
    });

    it("serves JSON Feed 1.1 with every stored article and where each came from", async () => {
      const response = await app.request("/feeds/isis-syria.json");
      expect(response.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
      const feed = (await response.json()) as {
        version: string;
        feed_url: string;
        items: { title: string; _eventwire: { source_title: string; theme: string } }[];
      };
      expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
      expect(feed.feed_url).toBe("http://localhost/feeds/isis-syria.json");
      expect(feed.items).toHaveLength(ITEM_COUNT);
      expect(feed.items.find((item) => item.title.startsWith("Aid convoy"))?._eventwire).toMatchObject({
        source_title: "Fixture Wire",
        theme: "isis-syria",
      });
    });

    it("uses the configured public URL in links", async () => {
      const public_ = createApp(createTestDeps(db.store, { publicUrl: "https://news.eventwire.example/" }));
      const feed = (await (await public_.request("/feeds/isis-syria.json")).json()) as {
        feed_url: string;
        home_page_url: string;
      };
      expect(feed.feed_url).toBe("https://news.eventwire.example/feeds/isis-syria.json");
      expect(feed.home_page_url).toBe("https://news.eventwire.example/");
    });

    it("answers If-None-Match with 304, keeping the caching headers", async () => {
      const first = await app.request("/feeds/isis-syria.rss");
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^"[\w-]{27}"$/);
      expect(first.headers.get("cache-control")).toBe("public, max-age=60");
      expect(first.headers.get("last-modified")).toBe(new Date("2026-05-04T10:00:00Z").toUTCString());

      const again = await app.request("/feeds/isis-syria.rss", { headers: { "if-none-match": etag ?? "" } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expect(again.headers.get("cache-control")).toBe("public, max-age=60");

      const other = await app.request("/feeds/isis-syria.rss", { headers: { "if-none-match": '"something-else"' } });
      expect(other.status).toBe(200);
      // Each format has its own body and so its own validator.
      expect((await app.request("/feeds/isis-syria.atom")).headers.get("etag")).not.toBe(etag);
    });

    it("answers If-Modified-Since with 304, with its ETag, once the date has settled", async () => {
      const lastModified = new Date("2026-05-04T10:00:00Z");
      const ims = { "if-modified-since": lastModified.toUTCString() };
      // Within a minute of the newest article, dates are not trusted for 304s yet.
      const fresh = await app.request("/feeds/isis-syria.atom", { headers: ims });
      expect(fresh.status).toBe(200);

      const later = createTestDeps(db.store, {}, "2026-05-04T10:02:00Z");
      const settledApp = createApp(later);
      const same = await settledApp.request("/feeds/isis-syria.atom", { headers: ims });
      expect(same.status).toBe(304);
      expect(same.headers.get("etag")).toBe((await settledApp.request("/feeds/isis-syria.atom")).headers.get("etag"));
      const older = await settledApp.request("/feeds/isis-syria.atom", {
        headers: { "if-modified-since": new Date(lastModified.getTime() - 1000).toUTCString() },
      });
      expect(older.status).toBe(200);
      // If-None-Match wins over If-Modified-Since.
      const both = await settledApp.request("/feeds/isis-syria.atom", { headers: { ...ims, "if-none-match": '"stale"' } });
      expect(both.status).toBe(200);
    });

    it("answers HEAD with the headers and no body", async () => {
      const response = await app.request("/feeds/isis-syria.rss", { method: "HEAD" });
      expect(response.status).toBe(200);
      expect(response.headers.get("etag")).toBeTruthy();
      expect(await response.text()).toBe("");
    });

    it("serves a valid empty feed before anything is stored, dated when it is served (not 1970)", async () => {
      const empty = await createTestStore();
      const emptyDeps = createTestDeps(empty.store, {}, "2026-05-04T10:00:00.400Z");
      const emptyApp = createApp(emptyDeps);
      const atom = await emptyApp.request("/feeds/isis-syria.atom");
      const feed = await new Parser().parseString(await atom.text());
      expect(feed.items).toHaveLength(0);
      expect(atom.headers.get("last-modified")).toBe("Mon, 04 May 2026 10:00:00 GMT");
      expect(feed.lastBuildDate).toBe("2026-05-04T10:00:00.000Z");
      for (const path of ["/feeds/isis-syria.rss", "/feeds/isis-syria/events.rss"]) {
        const rss = await new Parser().parseString(await (await emptyApp.request(path)).text());
        expect(rss.lastBuildDate, path).toBe("Mon, 04 May 2026 10:00:00 GMT");
      }
      await empty.drop();
    });
  });

  describe("error", () => {
    it.each(["/feeds/no-such-theme.rss", "/feeds/isis-syria.html", "/feeds/isis-syria", "/feeds/ISIS-SYRIA.rss"])(
      "answers %s with a JSON 404",
      async (path) => {
        const response = await app.request(path);
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("not_found");
        expect(body.error.message.length).toBeGreaterThan(10);
      },
    );
  });

  describe("security", () => {
    it.each(["rss", "atom", "json"])("keeps markup from a source inert in %s", async (format) => {
      const body = await (await app.request(`/feeds/isis-syria.${format}`)).text();
      expect(body).not.toMatch(/<script|<img|onerror=|onclick=/i);
      if (format === "json") expect(body).toContain("\\u003cscript>alert(3)\\u003c/script>");
      else expect(body).toContain("&lt;script&gt;alert(3)&lt;/script&gt;");
    });
  });
});
