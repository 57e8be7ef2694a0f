import { type App, createApp } from "@eventwire/api";
import type { Article, EntityType, EventState } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";
import { createTestDeps, TEST_ADMIN_KEY } from "../support/deps";
import { type Story, storeStory } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";

// Twelve stories written for these tests: a subject word, 1–3 outlets, one entity, dates a day apart.
const SUBJECTS = ["dam", "ceasefire", "airstrike"] as const;
const OUTLETS = ["alpha.example", "beta.example", "gamma.example"];
type Written = { event: EventState; articles: Article[]; subject: string; entity: string; sources: number; day: number };

function story(index: number): Story & { subject: string; entity: string } {
  const subject = SUBJECTS[index % 3] as string;
  const entity = index % 2 === 0 ? "isis" : "sdf";
  const sources = 1 + (index % 3);
  const day = String(1 + index).padStart(2, "0");
  return {
    subject,
    entity,
    title: `Report ${index}: ${subject} near Raqqa`,
    entities: { [entity]: "org" as EntityType },
    articles: OUTLETS.slice(0, sources).map((source, n) => ({
      source,
      published: `2026-04-${day}T0${n}:00:00Z`,
      title: `${subject} story ${index} from ${source}`,
      summary: `Coverage ${index}. ${n === 0 ? "Drones were heard overhead." : "Residents fled."}`,
    })),
  };
}

let db: TestStore;
let app: App;
let tight: App;
const written: Written[] = [];
let offTheme: Article;

beforeAll(async () => {
  db = await createTestStore();
  const deps = createTestDeps(db.store);
  app = createApp(deps);
  // The same data with a read bound of 4 items per request: pages come back short.
  tight = createApp(createTestDeps(db.store, { filterReadLimit: 4 }));
  for (let index = 0; index < 12; index += 1) {
    const each = story(index);
    const stored = await storeStory(db.store, each);
    written.push({ ...stored, subject: each.subject, entity: each.entity, sources: 1 + (index % 3), day: 1 + index });
  }
  offTheme = testArticle(
    { title: "Football results from the weekend", link: "https://alpha.example/football", date: "2026-04-05T12:00:00Z" },
    { sourceId: "alpha.example", sourceTitle: "alpha.example" },
  );
  await db.store.articles.putIfAbsent(offTheme);
});

afterAll(async () => {
  await db.drop();
});

type Page = { items: { id: string }[]; nextCursor: string | null };

/** Follows `nextCursor` to the end; returns every id in order and the size of each page. */
async function readAll(target: App, path: string): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let url: string | null = path;
  while (url !== null && sizes.length < 100) {
    const response = await target.request(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Page;
    ids.push(...body.items.map((item) => item.id));
    sizes.push(body.items.length);
    const separator = path.includes("?") ? "&" : "?";
    url = body.nextCursor === null ? null : `${path}${separator}cursor=${encodeURIComponent(body.nextCursor)}`;
  }
  return { ids, sizes };
}

const newestFirst = (list: Written[]) => [...list].sort((a, b) => b.day - a.day).map((each) => each.event.id);

describe("events listing", () => {
  describe("happy", () => {
    it("pages through every event with cursors, each exactly once, most recently active first", async () => {
      const { ids, sizes } = await readAll(app, "/api/v1/events?limit=5");
      expect(ids).toEqual(newestFirst(written));
      expect(sizes).toEqual([5, 5, 2]);
    });

    it.each<[string, (each: Written) => boolean]>([
      ["q=dam", (each) => each.subject === "dam"],
      ["q=Ceasefires", (each) => each.subject === "ceasefire"],
      ["q=raqqa%20airstrike", (each) => each.subject === "airstrike"],
      ["entity=isis", (each) => each.entity === "isis"],
      ["entity=Islamic%20State", (each) => each.entity === "isis"],
      ["entity=SDF", (each) => each.entity === "sdf"],
      ["minSources=3", (each) => each.sources === 3],
      ["since=2026-04-10", (each) => each.day >= 10],
      ["until=2026-04-03", (each) => each.day <= 3],
      ["since=2026-04-03T00:00:00Z&until=2026-04-06T23:00:00%2B01:00", (each) => each.day >= 3 && each.day <= 6],
      ["q=dam&entity=isis", (each) => each.subject === "dam" && each.entity === "isis"],
      ["minSources=2&entity=sdf&since=2026-04-04", (each) => each.sources >= 2 && each.entity === "sdf" && each.day >= 4],
      [
        "q=ceasefire&minSources=2&until=2026-04-11",
        (each) => each.subject === "ceasefire" && each.sources >= 2 && each.day <= 11,
      ],
    ])("filters ?%s, and combined filters narrow each other", async (query, expected) => {
      const want = newestFirst(written.filter(expected));
      expect(want.length).toBeGreaterThan(0);
      expect((await readAll(app, `/api/v1/events?${query}&limit=2`)).ids).toEqual(want);
      // With four items read per request, pages come back short, and every match still comes once.
      const bounded = await readAll(tight, `/api/v1/events?${query}&limit=2`);
      expect(bounded.ids).toEqual(want);
    });

    it("returns a short page with a cursor when the read bound is reached before the limit", async () => {
      const first = await tight.request("/api/v1/events?minSources=3&limit=10");
      const body = (await first.json()) as Page;
      expect(body.items.length).toBeLessThan(10);
      expect(body.nextCursor).not.toBeNull();
    });

    it("answers a search that matches nothing with an empty last page", async () => {
      const response = await app.request("/api/v1/events?q=earthquake");
      expect(await response.json()).toEqual({ items: [], nextCursor: null });
    });
  });
});

describe("articles listing", () => {
  const all = () => [...written.flatMap((each) => each.articles), offTheme];
  const byNewest = (list: Article[]) =>
    [...list].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id.localeCompare(a.id)).map((a) => a.id);

  it("pages through every article with cursors, each exactly once", async () => {
    const { ids } = await readAll(app, "/api/v1/articles?limit=7");
    expect(ids).toEqual(byNewest(all()));
  });

  it.each<[string, (article: Article) => boolean]>([
    ["source=gamma.example", (a) => a.sourceId === "gamma.example"],
    ["theme=isis-syria&onTheme=true", (a) => a.onTheme],
    ["onTheme=false", (a) => !a.onTheme],
    ["theme=isis-syria", () => true],
    ["q=drones", (a) => a.summary.includes("Drones")],
    ["q=football", (a) => a.id === offTheme.id],
    ["since=2026-04-11", (a) => a.publishedAt >= "2026-04-11"],
    ["until=2026-04-02", (a) => a.publishedAt < "2026-04-03"],
    ["source=beta.example&q=ceasefire", (a) => a.sourceId === "beta.example" && a.title.startsWith("ceasefire")],
    ["source=alpha.example&onTheme=false", (a) => a.sourceId === "alpha.example" && !a.onTheme],
    [
      "q=dam&since=2026-04-04&until=2026-04-10&onTheme=true",
      (a) => a.title.startsWith("dam") && a.publishedAt >= "2026-04-04" && a.publishedAt < "2026-04-11",
    ],
  ])("filters ?%s, and combined filters narrow each other", async (query, expected) => {
    const want = byNewest(all().filter(expected));
    expect(want.length).toBeGreaterThan(0);
    expect((await readAll(app, `/api/v1/articles?${query}&limit=3`)).ids).toEqual(want);
    expect((await readAll(tight, `/api/v1/articles?${query}&limit=3`)).ids).toEqual(want);
  });

  it("combines an event with a source", async () => {
    const story = written.find((each) => each.sources === 3) as Written;
    const { ids } = await readAll(app, `/api/v1/articles?event=${story.event.id}&source=beta.example`);
    expect(ids).toEqual(story.articles.filter((a) => a.sourceId === "beta.example").map((a) => a.id));
  });
});

describe("listing errors", () => {
  // A cursor is sealed: all a client can do is change its bytes blindly.
  const forged = (cursor: string) => {
    const bytes = Buffer.from(cursor, "base64url");
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x20;
    return bytes.toString("base64url");
  };

  it.each([
    ["/api/v1/events?theme=nope", "theme", "no theme"],
    ["/api/v1/events?theme=Not_An_Id", "theme", "theme id"],
    ["/api/v1/events?q=", "q", "must not be empty"],
    ["/api/v1/events?q=the%20of", "q", "no word to search for"],
    ["/api/v1/events?entity=", "entity", ""],
    ["/api/v1/events?since=yesterday", "since", "ISO 8601"],
    ["/api/v1/events?until=2026-02-30", "until", "ISO 8601"],
    ["/api/v1/events?since=2026-05-02&until=2026-05-01", "since", "after"],
    ["/api/v1/events?minSources=0", "minSources", "1 to 1000"],
    ["/api/v1/events?minSources=many", "minSources", "1 to 1000"],
    ["/api/v1/events?limit=101", "limit", "1 to 100"],
    ["/api/v1/events?limit=2.5", "limit", "1 to 100"],
    ["/api/v1/events?cursor=abc.def", "cursor", "start again from the first page"],
    ["/api/v1/events?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor", "not a cursor this listing issued"],
    [
      "/api/v1/events?sort=asc",
      "sort",
      "not a parameter here (parameters: theme, q, entity, since, until, minSources, limit, cursor)",
    ],
    ["/api/v1/articles?event=xyz", "event", "32 hex digits"],
    ["/api/v1/articles?source=a%20b", "source", "source id"],
    ["/api/v1/articles?onTheme=yes", "onTheme", "true or false"],
    ["/api/v1/articles?theme=nope", "theme", "no theme"],
    ["/api/v1/articles?since=2026-05-01T12:00", "since", "ISO 8601"],
    ["/api/v1/articles?q=a", "q", "no word"],
    ["/api/v1/articles?limit=0", "limit", "1 to 100"],
    ["/api/v1/themes?all=1", "all", "this route takes none"],
    [`/api/v1/events/${"0".repeat(32)}?expand=1`, "expand", "this route takes none"],
  ])("answers %s with a 400 naming %s", async (path, parameter, words) => {
    const response = await app.request(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("invalid_parameter");
    expect(body.error.message).toContain(`"${parameter}"`);
    expect(body.error.message).toContain(words);
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  });

  // Numbers are decimal digits: another notation is refused, never read as a number the client
  // may not have meant (0x10 as 16, 1e2 as 100, an empty value as 0).
  it.each([
    ["limit", "0x10", "1 to 100, in decimal digits"],
    ["limit", "1e2", "1 to 100, in decimal digits"],
    ["limit", "%2B5", "1 to 100, in decimal digits"],
    ["limit", "%205", "1 to 100, in decimal digits"],
    ["limit", "5.0", "1 to 100, in decimal digits"],
    ["limit", "-1", "1 to 100, in decimal digits"],
    ["limit", "", "1 to 100, in decimal digits"],
    ["limit", "Infinity", "1 to 100, in decimal digits"],
    ["minSources", "abc", "1 to 1000, in decimal digits"],
    ["minSources", "0b11", "1 to 1000, in decimal digits"],
    ["minSources", "99999999999", "1 to 1000, in decimal digits"],
  ])("refuses ?%s=%s: %s", async (parameter, value, words) => {
    const response = await app.request(`/api/v1/events?${parameter}=${value}`);
    expect(response.status).toBe(400);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe(`query parameter "${parameter}": a whole number from ${words}`);
  });

  it.each([
    ["/api/v1/events?limit=2&limit=1", "limit"],
    ["/api/v1/events?theme=isis-syria&theme=other", "theme"],
    ["/api/v1/articles?source=alpha.example&source=beta.example", "source"],
    ["/api/v1/articles?cursor=a&cursor=b", "cursor"],
  ])("refuses the repeated parameter in %s rather than reading one of its values", async (path, parameter) => {
    const response = await app.request(path);
    expect(response.status).toBe(400);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe(`query parameter "${parameter}": given 2 times; give it once`);
  });

  it("names every parameter and rule in words, never in the validator's own phrasing", async () => {
    for (const path of [
      "/api/v1/events?foo=1",
      "/api/v1/events?minSources=abc",
      "/api/v1/events?limit=0x10&foo=1&bar=2",
      "/api/v1/events?since=yesterday",
      "/api/v1/articles?onTheme=1",
      "/api/v1/articles?event=xyz",
      "/api/v1/articles?q=",
      "/api/v1/themes?x=1",
      "/api/v1/sources?x=1",
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(400);
      const { message } = ((await response.json()) as { error: { message: string } }).error;
      expect(message, path).toMatch(/^query parameter "[A-Za-z]+": /);
      expect(message, path).not.toMatch(
        /\(body\)|NaN|received|Invalid input|Invalid option|Unrecognized|Too (small|big)|expected (number|string)/,
      );
    }
    // One message names each unknown parameter.
    const both = await app.request("/api/v1/events?foo=1&bar=2");
    const { message } = ((await both.json()) as { error: { message: string } }).error;
    expect(message).toContain('query parameter "foo": not a parameter here');
    expect(message).toContain('query parameter "bar": not a parameter here');
    // A long unknown name is named, not echoed whole.
    const long = "x".repeat(5_000);
    const echoed = await app.request(`/api/v1/events?${long}=1`);
    const refusal = ((await echoed.json()) as { error: { message: string } }).error.message;
    expect(refusal).toContain(`query parameter "${"x".repeat(100)}…": not a parameter here`);
    expect(refusal.length).toBeLessThan(400);
  });

  it("refuses query parameters on the routes that change things, which read none", async () => {
    const response = await app.request("/api/v1/ingest/run?dryRun=1", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(response.status).toBe(400);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe('query parameter "dryRun": not a parameter here: this route takes none');
  });

  it("reads numbers and repeats on the feeds as on the API, and still ignores other parameters there", async () => {
    const bad = [
      "/feeds/isis-syria/events.rss?minSources=0x10",
      "/feeds/isis-syria/events.json?minSources=1e1",
      "/feeds/isis-syria/events.atom?minSources=2&minSources=3",
      "/feeds/isis-syria.rss?cursor=a&cursor=b",
    ];
    for (const path of bad) {
      const response = await app.request(path);
      expect(response.status, path).toBe(400);
      const { message } = ((await response.json()) as { error: { message: string } }).error;
      expect(message, path).toMatch(
        /^query parameter "(minSources|cursor)": (a whole number from 1 to 1000, in decimal digits|given 2 times)/,
      );
    }
    // A feed reader's or a campaign's own parameters are not the feed's business.
    expect((await app.request("/feeds/isis-syria/events.rss?minSources=2&utm_source=x&utm_source=y")).status).toBe(200);
  });

  it("refuses a forged cursor, and one issued under other filters, rather than reading from it", async () => {
    const page = (await (await app.request("/api/v1/events?limit=2&entity=isis")).json()) as Page;
    const cursor = page.nextCursor as string;
    for (const path of [
      `/api/v1/events?limit=2&entity=isis&cursor=${encodeURIComponent(forged(cursor))}`,
      `/api/v1/events?limit=2&entity=sdf&cursor=${encodeURIComponent(cursor)}`,
      `/api/v1/events?limit=2&cursor=${encodeURIComponent(cursor)}`,
      `/api/v1/articles?limit=2&cursor=${encodeURIComponent(cursor)}`,
    ]) {
      const response = await app.request(path);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('"cursor"');
    }
    // A different limit keeps the same listing, so the cursor still serves.
    expect((await app.request(`/api/v1/events?limit=3&entity=isis&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it.each([
    `/api/v1/events/${"f".repeat(32)}`,
    "/api/v1/events/NOT-AN-ID",
    `/api/v1/articles/${"f".repeat(32)}`,
    "/api/v1/sources/no-such-source",
  ])("answers the unknown id %s with a JSON 404", async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toMatch(/no (event|article|source) has the id/);
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  });
});
