import { type App, createApp } from "@eventwire/api";
import type { Article, EventState } from "@eventwire/core";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { type Story, storeStories } from "../support/events";
import { CONTROL_CHARACTERS, followPages, readFeedPage } from "../support/feed-pages";
import { createTestStore, type TestStore } from "../support/store";
import { CAMP_STORY, CHECKPOINT_STORY, DAM_STORY, TALKS_STORY } from "../support/stories";

// Five stories told by one to three outlets, one of them written by a hostile source; feeds of
// two items a page, so every listing takes several pages.
const HOSTILE_STORY: Story = {
  title: '<script>alert("event")</script> Deir ez-Zor ]]> raid\u0001\u0008',
  articles: [
    {
      source: "hostile.example",
      published: "2026-04-30T10:00:00Z",
      title: '<img src=x onerror=alert(1)> raid in Deir ez-Zor ]]> <a href="javascript:alert(2)">x</a>\u0007',
      summary: '<script>alert(3)</script> ]]> <a href="javascript:alert(4)">more</a> \u0001\u001f end',
      link: "javascript:alert(5)",
    },
    { source: "wire.example", published: "2026-04-30T11:00:00Z", title: "Raid reported in Deir ez-Zor" },
  ],
};

const STORIES: Story[] = [DAM_STORY, TALKS_STORY, CHECKPOINT_STORY, HOSTILE_STORY, CAMP_STORY];

const FORMATS = ["rss", "atom", "json"] as const;

let db: TestStore;
let app: App;
let events: EventState[];
let articles: Article[];
const byLastSeen = (a: EventState, b: EventState) => b.lastSeen.localeCompare(a.lastSeen);
const byPublished = (a: Article, b: Article) => b.publishedAt.localeCompare(a.publishedAt);

beforeAll(async () => {
  db = await createTestStore();
  app = createApp(createTestDeps(db.store, { feedLimit: 2 }));
  ({ events, articles } = await storeStories(db.store, STORIES));
});

afterAll(async () => {
  await db.drop();
});

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const eventGuid = (event: EventState) => `urn:eventwire:event:${event.id}`;
const articleGuid = (article: Article) => `urn:eventwire:article:${article.id}`;
const dam = () => events[0] as EventState;

async function errorOf(path: string): Promise<{ status: number; code: string; message: string; requestId: string }> {
  const response = await get(path);
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  return { status: response.status, ...body.error };
}

describe("event feeds", () => {
  describe("happy", () => {
    it.each(FORMATS)("the events feed (%s) has one item per event, the most recently active first", async (format) => {
      const pages = await followPages(get, format, `/feeds/isis-syria/events.${format}`);
      expect(pages.map((page) => page.ids.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((page) => page.ids)).toEqual([...events].sort(byLastSeen).map(eventGuid));
      // A JSON Feed keeps one identity over its pages: the first page's URL.
      if (format === "json")
        expect(pages.map((page) => page.links.feed)).toEqual(pages.map(() => "http://localhost/feeds/isis-syria/events.json"));
    });

    it("an event's item counts its articles and distinct sources, says when it started and links its articles", async () => {
      const response = await get("/feeds/isis-syria/events.json");
      const feed = (await response.json()) as {
        items: { id: string; url: string; content_text: string; content_html: string; _eventwire: Record<string, unknown> }[];
      };
      const item = feed.items.find((entry) => entry.id === eventGuid(dam()));
      expect(item?.content_text).toContain("3 articles from 3 distinct sources; first seen 2026-05-01 08:00 UTC");
      expect(item?.url).toBe(`http://localhost/events/${dam().id}`);
      expect(item?._eventwire).toMatchObject({
        event_id: dam().id,
        article_count: 3,
        source_count: 3,
        event_feed_url: `http://localhost/feeds/events/${dam().id}.json`,
      });
      for (const article of articles.filter((each) => each.eventId === dam().id)) {
        expect(item?.content_html).toContain(`<a href="${article.url}">${article.title}</a>`);
      }
      const rss = await (await get("/feeds/isis-syria/events.rss")).text();
      expect(rss).toContain(`<guid isPermaLink="false">${eventGuid(dam())}</guid>`);
      expect(rss).toContain(`/feeds/events/${dam().id}.rss`);
    });

    it.each(FORMATS)("?minSources keeps only the events that many sources reported (%s)", async (format) => {
      const pages = await followPages(get, format, `/feeds/isis-syria/events.${format}?minSources=2`);
      const expected = events.filter((event) => event.outlets.length >= 2).sort(byLastSeen);
      expect(expected).toHaveLength(3);
      expect(pages.flatMap((page) => page.ids)).toEqual(expected.map(eventGuid));
      // The filter stays on every page's links.
      expect(pages[0]?.links.next).toContain("minSources=2");
      const three = await followPages(get, format, `/feeds/isis-syria/events.${format}?minSources=3`);
      expect(three.flatMap((page) => page.ids)).toEqual([eventGuid(dam())]);
    });

    it.each(FORMATS)("the theme feed (%s) pages through every article exactly once, newest first", async (format) => {
      const pages = await followPages(get, format, `/feeds/isis-syria.${format}`);
      expect(pages).toHaveLength(Math.ceil(articles.length / 2));
      expect(pages.flatMap((page) => page.ids)).toEqual([...articles].sort(byPublished).map(articleGuid));
    });

    it.each(FORMATS)("an event's feed (%s) pages through its articles exactly once", async (format) => {
      const pages = await followPages(get, format, `/feeds/events/${dam().id}.${format}`);
      expect(pages.map((page) => page.ids.length)).toEqual([2, 1]);
      const own = articles.filter((article) => article.eventId === dam().id).sort(byPublished);
      expect(pages.flatMap((page) => page.ids)).toEqual(own.map(articleGuid));
    });

    it.each([
      ["rss", "/feeds/isis-syria.rss"],
      ["atom", "/feeds/isis-syria/events.atom?minSources=2"],
      ["rss", `/feeds/events/{dam}.rss`],
    ] as const)("%s: previous links lead back from the last page to the first, over the same pages", async (format, raw) => {
      const path = raw.replace("{dam}", dam().id);
      const forward = await followPages(get, format, path);
      const last = forward.at(-1);
      expect(last?.links.next).toBeUndefined();
      expect(last?.links.first).toBe(`http://localhost${path}`);
      const lastUrl = forward.at(-2)?.links.next ?? "";
      const backward = await followPages(get, format, lastUrl, "previous");
      expect(backward.map((page) => page.ids)).toEqual([...forward].reverse().map((page) => page.ids));
      // The first page has neither a previous nor a first link.
      expect(backward.at(-1)?.links.previous).toBeUndefined();
      expect(backward.at(-1)?.links.first).toBeUndefined();
    });

    it("each article in the theme feed names its event and links it, and names its source", async () => {
      const feed = (await (await get("/feeds/isis-syria.json")).json()) as {
        items: { id: string; tags: string[]; content_html: string; _eventwire: Record<string, unknown> }[];
      };
      const newest = [...articles].sort(byPublished)[0] as Article;
      const item = feed.items.find((entry) => entry.id === articleGuid(newest));
      const event = events.find((each) => each.id === newest.eventId) as EventState;
      expect(item?.tags).toEqual(expect.arrayContaining([event.title, newest.sourceTitle]));
      expect(item?._eventwire).toMatchObject({
        event_id: event.id,
        event_title: event.title,
        event_url: `http://localhost/events/${event.id}`,
        event_feed_url: `http://localhost/feeds/events/${event.id}.json`,
        source_id: newest.sourceId,
        source_title: newest.sourceTitle,
      });
      expect(item?.content_html).toContain(`<a href="http://localhost/events/${event.id}">${event.title}</a>`);
      const atom = await (await get("/feeds/isis-syria.atom")).text();
      expect(atom).toContain(`term="event-${event.id}"`);
      expect(atom).toContain(`/feeds/events/${event.id}.atom`);
    });

    it.each([
      [undefined, "application/rss+xml; charset=utf-8"],
      ["application/atom+xml", "application/atom+xml; charset=utf-8"],
      ["application/rss+xml;q=0.5, application/atom+xml;q=0.9", "application/atom+xml; charset=utf-8"],
      ["application/atom+xml, application/rss+xml", "application/rss+xml; charset=utf-8"],
      ["*/*", "application/rss+xml; charset=utf-8"],
    ])(".xml with Accept %s is %s", async (accept, contentType) => {
      for (const path of ["/feeds/isis-syria.xml", "/feeds/isis-syria/events.xml", `/feeds/events/${dam().id}.xml`]) {
        const response = await get(path, accept === undefined ? {} : { accept });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe(contentType);
        expect(response.headers.get("vary")).toContain("Accept");
      }
    });
  });

  describe("caching", () => {
    it.each(["/feeds/isis-syria/events.rss", "/feeds/isis-syria/events.json?minSources=2", "/feeds/events/{dam}.atom"])(
      "%s answers If-None-Match with 304 and carries its validators",
      async (raw) => {
        const path = raw.replace("{dam}", dam().id);
        const first = await get(path);
        const etag = first.headers.get("etag") ?? "";
        expect(etag).toMatch(/^"[\w-]{27}"$/);
        expect(first.headers.get("cache-control")).toBe("public, max-age=60");
        expect(first.headers.get("last-modified")).toBe(new Date("2026-05-04T10:00:00Z").toUTCString());
        const again = await get(path, { "if-none-match": etag });
        expect(again.status).toBe(304);
        expect(await again.text()).toBe("");
        expect(again.headers.get("etag")).toBe(etag);
        expect((await get(path, { "if-none-match": '"other"' })).status).toBe(200);
      },
    );

    it("answers If-Modified-Since with 304 once the date has settled", async () => {
      const later = createApp(createTestDeps(db.store, { feedLimit: 2 }, "2026-05-04T10:05:00Z"));
      const ims = { "if-modified-since": new Date("2026-05-04T10:00:00Z").toUTCString() };
      for (const path of ["/feeds/isis-syria/events.atom", `/feeds/events/${dam().id}.json`]) {
        expect((await later.request(path, { headers: ims })).status).toBe(304);
        const earlier = { "if-modified-since": new Date("2026-05-04T09:59:59Z").toUTCString() };
        expect((await later.request(path, { headers: earlier })).status).toBe(200);
      }
    });

    it("pages of a feed have their own validators", async () => {
      const [first, second] = await followPages(get, "rss", "/feeds/isis-syria/events.rss");
      expect(first?.ids).not.toEqual(second?.ids);
      const firstTag = (await get("/feeds/isis-syria/events.rss")).headers.get("etag");
      const secondTag = (await get((first?.links.next ?? "").replace("http://localhost", ""))).headers.get("etag");
      expect(firstTag).not.toBe(secondTag);
    });

    it.each(["/feeds/isis-syria/events.rss", "/feeds/events/{dam}.json"])(
      "answers HEAD on %s with headers, no body",
      async (raw) => {
        const response = await app.request(raw.replace("{dam}", dam().id), { method: "HEAD" });
        expect(response.status).toBe(200);
        expect(response.headers.get("etag")).toMatch(/^"/);
        expect(response.headers.get("last-modified")).toBeTruthy();
        expect(await response.text()).toBe("");
      },
    );
  });

  describe("error", () => {
    it.each([
      "/feeds/no-such-theme/events.rss",
      "/feeds/isis-syria/everything.rss",
      "/feeds/isis-syria/events.html",
      "/feeds/events/0123456789abcdef0123456789abcdef.rss",
      "/feeds/events/not-an-id.atom",
      "/feeds/events/{dam}.txt",
      "/feeds/no-such-theme.xml",
    ])("answers %s with a JSON 404", async (raw) => {
      const error = await errorOf(raw.replace("{dam}", dam().id));
      expect(error.status).toBe(404);
      expect(error.code).toBe("not_found");
      expect(error.message.length).toBeGreaterThan(10);
      expect(error.requestId).toBeTruthy();
    });

    it.each(["0", "-1", "abc", "2.5", "", "1001"])("refuses minSources=%j with a JSON 400", async (value) => {
      const error = await errorOf(`/feeds/isis-syria/events.rss?minSources=${value}`);
      expect(error.status).toBe(400);
      expect(error.code).toBe("invalid_parameter");
      expect(error.message).toContain("minSources");
    });

    it("refuses forged, foreign and garbage cursors with a JSON 400", async () => {
      const first = readFeedPage("json", await (await get("/feeds/isis-syria/events.json")).text());
      const next = new URL(first.links.next ?? "");
      const cursor = next.searchParams.get("cursor") ?? "";
      // The cursor is sealed (its direction inside it too): a client can only change bytes blindly.
      const bytes = Buffer.from(cursor, "base64url");
      bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
      const forged = bytes.toString("base64url");
      const attempts = [
        `/feeds/isis-syria/events.json?cursor=${encodeURIComponent(forged)}`,
        `/feeds/isis-syria/events.json?cursor=garbage`,
        // Issued for the unfiltered listing: refused by a filtered one, and by other feeds.
        `/feeds/isis-syria/events.json?minSources=2&cursor=${encodeURIComponent(cursor)}`,
        `/feeds/isis-syria.json?cursor=${encodeURIComponent(cursor)}`,
        `/feeds/events/${dam().id}.rss?cursor=${encodeURIComponent(cursor)}`,
      ];
      for (const path of attempts) {
        const error = await errorOf(path);
        expect(error.status, path).toBe(400);
        expect(error.code).toBe("invalid_parameter");
        expect(error.message).toContain("cursor");
      }
      // The genuine cursor works, in any format.
      expect((await get(`/feeds/isis-syria/events.atom?cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
    });
  });

  describe("security", () => {
    const hostilePaths = () => [
      ...FORMATS.map((format) => `/feeds/isis-syria/events.${format}`),
      ...FORMATS.map((format) => `/feeds/isis-syria.${format}`),
      ...FORMATS.map((format) => `/feeds/events/${(events[3] as EventState).id}.${format}`),
    ];

    it("keeps a hostile source's markup, links and control characters out of every feed", async () => {
      for (const path of hostilePaths()) {
        // Each page, so the hostile story is on one of them.
        const format = path.split(".").pop() as "rss" | "atom" | "json";
        let body = "";
        let next: string | undefined = path;
        while (next !== undefined) {
          const text = await (await get(next)).text();
          const page = readFeedPage(format, text);
          // Well-formed: a strict XML parser reads every item (a stray ]]> would end a CDATA
          // section early, a control character would stop it).
          if (format !== "json") expect((await new Parser().parseString(text)).items).toHaveLength(page.ids.length);
          body += text;
          next = page.links.next;
        }
        expect(body, path).not.toMatch(/<script|<img|<a href="javascript|javascript:alert\(5\)/i);
        // Control characters are gone (JSON.stringify would have written them as \u00xx).
        expect(body, path).not.toMatch(CONTROL_CHARACTERS);
        // The text itself is there, as text.
        expect(body, path).toMatch(/alert\(3\)|alert\(1\)|alert\(&quot;event&quot;\)|alert\(\\"event\\"\)/);
      }
    });

    it.each(["rss", "atom"] as const)("the hostile event's titles read back as text in %s", async (format) => {
      const hostile = events[3] as EventState;
      const pages = await followPages(get, format, `/feeds/isis-syria/events.${format}`);
      const titles = pages.flatMap((page) => page.titles);
      const expected = hostile.title.replace(new RegExp(CONTROL_CHARACTERS, "gi"), "");
      // XML-decoded, the title is escaped HTML: a reader shows the markup as text.
      expect(titles).toContain(
        expected.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"),
      );
      const single = readFeedPage(format, await (await get(`/feeds/events/${hostile.id}.${format}`)).text());
      expect(single.ids).toHaveLength(2);
    });
  });
});
