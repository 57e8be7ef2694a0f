import { createHash } from "node:crypto";
import { type App, createApp } from "@eventwire/api";
import type { Article, EventState } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { type Story, storeStories } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";
import { CAMP_STORY, DAM_STORY, TALKS_STORY } from "../support/stories";

// Four stories told by one to three outlets; one is written by a hostile source whose titles,
// summary and address carry markup, event handlers and `javascript:`.
const HOSTILE_STORY: Story = {
  title: '<script>window.__pwned = "event"</script> Deir ez-Zor raid',
  articles: [
    {
      source: "hostile.example",
      published: "2026-04-30T10:00:00Z",
      title: '<img src=x onerror="window.__pwned=1"> raid in Deir ez-Zor <a href="javascript:alert(2)">x</a>',
      summary: '<script>alert(3)</script> "quoted" <a href="javascript:alert(4)">more</a> end',
      storedUrl: "javascript:alert(5)",
    },
    { source: "wire.example", published: "2026-04-30T11:00:00Z", title: "Raid reported in Deir ez-Zor" },
  ],
};
const STORIES: Story[] = [DAM_STORY, TALKS_STORY, HOSTILE_STORY, CAMP_STORY];

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

let db: TestStore;
let app: App;
let paged: App;
let events: EventState[];
let articles: Article[];
const byLastSeen = (a: EventState, b: EventState) => b.lastSeen.localeCompare(a.lastSeen);

beforeAll(async () => {
  db = await createTestStore();
  app = createApp(createTestDeps(db.store));
  // Two items a page, so every listing takes several pages.
  paged = createApp(createTestDeps(db.store, { feedLimit: 2 }));
  ({ events, articles } = await storeStories(db.store, STORIES));
});

afterAll(async () => {
  await db.drop();
});

const get = (path: string, headers: Record<string, string> = {}, on: App = app) => on.request(path, { headers });
const event = (index: number) => events[index] as EventState;
const hostile = () => event(2);

// Text as Hono JSX writes it into element content and attributes.
function escaped(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** A `<link rel="alternate">` of this type and address, whatever its title. */
const alternate = (type: string, href: string) =>
  new RegExp(`<link rel="alternate" type="${escapeRegExp(type)}" title="[^"]+" href="${escapeRegExp(href)}"/>`);
const hrefs = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((match) => match[1] ?? "");
const eventLinks = (html: string) => [...html.matchAll(/href="http:\/\/localhost\/events\/([0-9a-f]{32})"/g)].map((m) => m[1]);

/** Every page of a listing from `path`, following its "older" links: the bodies in order. */
async function followOlder(path: string, on: App): Promise<string[]> {
  const bodies: string[] = [];
  let next: string | null = path;
  while (next !== null) {
    const response = await get(next, {}, on);
    expect(response.status, next).toBe(200);
    const body = await response.text();
    bodies.push(body);
    const older = /<a href="([^"]+)" rel="next">/.exec(body)?.[1];
    next =
      older === undefined ? null : new URL(older.replace(/&amp;/g, "&")).pathname + new URL(older.replace(/&amp;/g, "&")).search;
    expect(bodies.length).toBeLessThan(10);
  }
  return bodies;
}

describe("GET / for people", () => {
  it("answers a browser with an HTML page of the theme's events, most recently active first", async () => {
    const response = await get("/", { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("vary")).toBe("Accept");
    const body = await response.text();
    expect(body.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(eventLinks(body)).toEqual([...events].sort(byLastSeen).map((each) => each.id));
    for (const each of events) expect(body).toContain(escaped(each.title));
  });

  it("gives each event its article count, sources and time span", async () => {
    const body = await (await get("/")).text();
    // The list item of an event, from its title on.
    const item = (each: EventState) => {
      const start = body.indexOf(escaped(each.title));
      return body.slice(start, body.indexOf("</li>", start));
    };
    expect(item(event(0))).toContain(
      '3 articles · 3 sources · <time datetime="2026-05-01T08:00:00.000Z">2026-05-01 08:00 UTC</time> – ' +
        '<time datetime="2026-05-02T09:00:00.000Z">2026-05-02 09:00 UTC</time>',
    );
    expect(item(event(0))).toContain("Sources: north-desk.example, wire.example, river-post.example");
    expect(item(event(1))).toContain("2 articles · 1 source · ");
    expect(item(event(3))).toContain("1 article · 1 source · ");
  });

  it("announces the theme's feeds for autodiscovery and lists them", async () => {
    const body = await (await get("/")).text();
    for (const [format, type] of [
      ["rss", "application/rss+xml"],
      ["atom", "application/atom+xml"],
      ["json", "application/feed+json"],
    ] as const) {
      expect(body).toMatch(alternate(type, `http://localhost/feeds/isis-syria.${format}`));
      expect(body).toMatch(alternate(type, `http://localhost/feeds/isis-syria/events.${format}`));
      expect(hrefs(body.slice(body.indexOf("<main>")))).toContain(`http://localhost/feeds/isis-syria/events.${format}`);
    }
  });

  it("shows a curl command for the JSON API of the theme, and one that registers a webhook for it", async () => {
    const body = await (await get("/")).text();
    expect(body).toContain(
      "<pre><code>curl -s &#39;http://localhost/api/v1/events?theme=isis-syria&amp;limit=20&#39;</code></pre>",
    );
    const hook = /<pre><code>(curl -s -X POST [^<]*)<\/code><\/pre>/.exec(body)?.[1] ?? "";
    expect(hook).toContain("http://localhost/api/v1/subscriptions");
    // The body it sends is one the subscriptions API accepts.
    const sent = /-d &#39;(.*)&#39;$/.exec(hook)?.[1]?.replaceAll("&quot;", '"') ?? "";
    expect(JSON.parse(sent)).toEqual({
      url: "https://receiver.example/hook",
      types: ["event.corroborated", "event.updated"],
      filter: { theme: "isis-syria", minSources: 2 },
    });
    // The command shown works: the API answers it with the same events.
    const api = (await (await get("/api/v1/events?theme=isis-syria&limit=20")).json()) as { items: { id: string }[] };
    expect(api.items.map((item) => item.id)).toEqual(eventLinks(body));
  });

  it("keeps only events from at least minSources distinct sources, and its links keep the filter", async () => {
    const body = await (await get("/?minSources=2")).text();
    expect(eventLinks(body)).toEqual([event(0), event(2)].sort(byLastSeen).map((each) => each.id));
    expect(body).toContain('name="minSources" min="1" max="1000" value="2"');
    expect(body).toContain('href="http://localhost/feeds/isis-syria/events.rss?minSources=2"');
    expect(eventLinks(await (await get("/?minSources=3")).text())).toEqual([event(0).id]);
    // The form's emptied field is no filter.
    expect(eventLinks(await (await get("/?theme=isis-syria&minSources=")).text())).toHaveLength(events.length);
    expect(await (await get("/?minSources=4")).text()).toContain("No events reported by at least 4 sources.");
  });

  it("pages through the events with signed cursors, every event once, and back", async () => {
    const bodies = await followOlder("/", paged);
    expect(bodies).toHaveLength(2);
    expect(bodies.flatMap(eventLinks)).toEqual([...events].sort(byLastSeen).map((each) => each.id));
    const newer = /<a href="([^"]+)" rel="prev">/.exec(bodies[1] ?? "")?.[1]?.replace(/&amp;/g, "&") ?? "";
    expect(newer).toContain("cursor=");
    const back = await (await get(new URL(newer).pathname + new URL(newer).search, {}, paged)).text();
    expect(eventLinks(back)).toEqual(eventLinks(bodies[0] ?? ""));
    expect(back).not.toContain('rel="prev"');
  });

  it("answers with a strong ETag and Cache-Control, 304 when it comes back, and headers alone to HEAD", async () => {
    const first = await get("/");
    const tag = first.headers.get("etag") ?? "";
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=60");
    const again = await get("/", { "if-none-match": tag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(tag);
    expect((await get("/", { "if-none-match": '"something-else"' })).status).toBe(200);
    const head = await app.request("/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(tag);
    expect(await head.text()).toBe("");
  });

  it("forbids every script by Content-Security-Policy and allows its one inline style by hash", async () => {
    const response = await get("/");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(await response.text())?.[1] ?? "";
    const hash = createHash("sha256").update(style).digest("base64");
    expect(policy).toContain(`style-src 'sha256-${hash}'`);
  });
  it("links every served theme, and ?theme= shows that theme's events", async () => {
    const second = {
      id: "border-crossings",
      title: "Border crossings",
      description: "A second theme.",
      language: "en",
      threshold: 0.5,
      followUpThreshold: 0.1,
      entities: [],
      terms: [{ term: "border", weight: 1 }],
    };
    const deps = createTestDeps(db.store);
    const themed = createApp({ ...deps, config: { ...deps.config, themes: [...deps.config.themes, second] } });
    const home = await (await get("/", {}, themed)).text();
    expect(home).toContain('<nav aria-label="themes">');
    expect(hrefs(home)).toContain("http://localhost/?theme=border-crossings");
    expect(eventLinks(home)).toHaveLength(events.length);
    const other = await (await get("/?theme=border-crossings", {}, themed)).text();
    expect(other).toContain("<h1>Border crossings</h1>");
    expect(eventLinks(other)).toEqual([]);
    expect(other).toContain("No events yet");
    expect(other).toContain("http://localhost/feeds/border-crossings.rss");
  });
});

describe("GET / for programs", () => {
  it.each([["application/json"], ["application/json, text/plain, */*"], ["text/html;q=0.5, application/json"]])(
    "answers Accept: %s with the JSON index",
    async (accept) => {
      const response = await get("/", { accept });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("vary")).toBe("Accept");
      const index = (await response.json()) as { name: string; feeds: { theme: string; rss: string }[]; api: { events: string } };
      expect(index.name).toBe("eventwire");
      expect(index.feeds[0]).toMatchObject({ theme: "isis-syria", rss: "http://localhost/feeds/isis-syria.rss" });
      // Every feed in every format, the theme's articles and its events.
      expect(index.feeds[0]).toMatchObject({
        atom: "http://localhost/feeds/isis-syria.atom",
        json: "http://localhost/feeds/isis-syria.json",
        events: {
          rss: "http://localhost/feeds/isis-syria/events.rss",
          atom: "http://localhost/feeds/isis-syria/events.atom",
          json: "http://localhost/feeds/isis-syria/events.json",
        },
      });
      expect(index.api.events).toBe("http://localhost/api/v1/events");
    },
  );

  it.each([[undefined], ["*/*"], ["text/html"], [BROWSER_ACCEPT], ["application/json;q=0.5, text/html"]])(
    "answers Accept: %s with the page",
    async (accept) => {
      const response = await get("/", accept === undefined ? {} : { accept });
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    },
  );
});

describe("GET /events/{id}", () => {
  it("shows the event: title, counts, sources, first and last seen", async () => {
    const response = await get(`/events/${event(0).id}`, { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const body = await response.text();
    expect(body).toContain(`<h1>${escaped(event(0).title)}</h1>`);
    expect(body).toContain(
      "3 articles from 3 distinct sources; first seen 2026-05-01 08:00 UTC, last seen 2026-05-02 09:00 UTC.",
    );
    expect(body).toContain("<dt>Distinct sources</dt><dd>3</dd>");
    expect(body).toContain("Sources: north-desk.example, wire.example, river-post.example");
  });

  it("lists its articles newest first with time, source and a link to each", async () => {
    const body = await (await get(`/events/${event(0).id}`)).text();
    const story = articles.filter((article) => article.eventId === event(0).id).reverse();
    const positions = story.map((article) => body.indexOf(`<a href="${article.url}">${escaped(article.title)}</a>`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body).toContain('<time datetime="2026-05-02T09:00:00.000Z">2026-05-02 09:00 UTC</time> · river-post.example');
  });

  it("announces and lists the event's feeds and links its JSON", async () => {
    const id = event(1).id;
    const body = await (await get(`/events/${id}`)).text();
    for (const [format, type] of [
      ["rss", "application/rss+xml"],
      ["atom", "application/atom+xml"],
      ["json", "application/feed+json"],
    ] as const) {
      expect(body).toMatch(alternate(type, `http://localhost/feeds/events/${id}.${format}`));
      expect(hrefs(body.slice(body.indexOf("<main>")))).toContain(`http://localhost/feeds/events/${id}.${format}`);
    }
    expect(body).toMatch(alternate("application/json", `http://localhost/api/v1/events/${id}`));
    expect(body).toContain(`<pre><code>curl -s &#39;http://localhost/api/v1/events/${id}&#39;</code></pre>`);
    expect(body).toContain(`curl -s &#39;http://localhost/api/v1/articles?event=${id}&amp;limit=100&#39;`);
    expect(hrefs(body)).toContain("http://localhost/?theme=isis-syria");
  });

  it("pages through a long story, every article once, newest first", async () => {
    const bodies = await followOlder(`/events/${event(0).id}`, paged);
    expect(bodies).toHaveLength(2);
    const titles = bodies.flatMap((body) => [...body.matchAll(/<h3><a href="[^"]+">([^<]+)<\/a><\/h3>/g)].map((m) => m[1]));
    expect(titles).toEqual(["Engineers inspect the dam spillway", "SDF holds the Tabqa dam", "Dam falls to SDF fighters"]);
  });

  it("answers with a strong ETag, 304 on If-None-Match, and HEAD", async () => {
    const path = `/events/${event(1).id}`;
    const first = await get(path);
    const tag = first.headers.get("etag") ?? "";
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=60");
    expect((await get(path, { "if-none-match": tag })).status).toBe(304);
    const head = await app.request(path, { method: "HEAD" });
    expect(head.headers.get("etag")).toBe(tag);
    expect(await head.text()).toBe("");
  });
});

describe("errors", () => {
  it.each([["0123456789abcdef0123456789abcdef"], ["not-an-event"]])(
    "an unknown event (%s) is a 404 page for a browser",
    async (id) => {
      const response = await get(`/events/${id}`, { accept: BROWSER_ACCEPT });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = await response.text();
      expect(body).toContain("<h1>Not found</h1>");
      expect(body).toContain(`no event has the id &quot;${id}&quot;`);
    },
  );

  it("an unknown event is the JSON error body for a JSON client", async () => {
    const response = await get("/events/0123456789abcdef0123456789abcdef", { accept: "application/json" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toBe('no event has the id "0123456789abcdef0123456789abcdef"');
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("an unknown theme is a 404 page; a bad minSources or a forged cursor a 400 page", async () => {
    const theme = await get("/?theme=gardening");
    expect(theme.status).toBe(404);
    expect(await theme.text()).toContain("no theme named &quot;gardening&quot; (themes: isis-syria)");
    const filter = await get("/?minSources=0");
    expect(filter.status).toBe(400);
    expect(await filter.text()).toContain("query parameter &quot;minSources&quot;");
    const cursor = await get(`/events/${event(0).id}?cursor=abc.def`);
    expect(cursor.status).toBe(400);
    expect(await cursor.text()).toContain("not a cursor this listing issued");
  });

  it("a cursor from one listing is refused by another", async () => {
    const bodies = await followOlder("/", paged);
    const older = /cursor=([^"&]+)/.exec(bodies[0] ?? "")?.[1] ?? "";
    expect(older).not.toBe("");
    expect((await get(`/?minSources=2&cursor=${older}`, {}, paged)).status).toBe(400);
    expect((await get(`/events/${event(0).id}?cursor=${older}`, {}, paged)).status).toBe(400);
  });
});

describe("security: a hostile source's markup stays text", () => {
  const pages = () => ["/", `/events/${hostile().id}`];

  it.each([["/"], ["event"]])("no markup from the data reaches %s as markup", async (which) => {
    const path = which === "/" ? "/" : `/events/${hostile().id}`;
    const body = await (await get(path)).text();
    // Markup from the data would be a tag: none is a script or an image, none has an event handler.
    expect(body).not.toMatch(/<script|<img|<[a-z][^>]*\son[a-z]+=|<a href="javascript/i);
    expect(body).toContain(escaped(hostile().title));
  });

  it("shows the hostile article's title and summary as text, and its javascript: address as no link", async () => {
    const body = await (await get(`/events/${hostile().id}`)).text();
    const article = articles.find((each) => each.sourceId === "hostile.example") as Article;
    expect(body).toContain(`<h3>${escaped(article.title)}</h3>`);
    expect(body).toContain(escaped('<script>alert(3)</script> "quoted"'));
    expect(body).not.toContain("javascript:alert(5)");
  });

  it("writes only http(s) addresses as links", async () => {
    for (const path of pages()) {
      const links = hrefs(await (await get(path)).text());
      expect(links.length).toBeGreaterThan(5);
      for (const link of links) expect(link, path).toMatch(/^https?:\/\//);
    }
  });
});
