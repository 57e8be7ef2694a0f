import { createApp } from "@eventwire/api";
import type { Article, EventState } from "@eventwire/core";
import { addSource, ingestDueSources } from "@eventwire/pipeline";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testArticle } from "../support/articles";
import { createTestDeps } from "../support/deps";
import { storeStory } from "../support/events";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";
import { CHECKPOINT_STORY, DAM_STORY } from "../support/stories";

let db: TestStore;

beforeAll(async () => {
  db = await createTestStore();
});

afterAll(async () => {
  await db.drop();
});

type Report = { title: string; link: string; date: string; fetchedAt: Date; eventTitle: string };

/** Commits one more report to a stored event, as the matcher would; returns the event as stored. */
async function addReport(event: EventState, report: Report): Promise<EventState> {
  const { fetchedAt } = report;
  const article = {
    ...testArticle(
      { title: report.title, link: report.link, date: report.date, summaryHtml: "Another report." },
      { sourceId: "late.example", sourceTitle: "late.example", fetchedAt },
    ),
    onTheme: true,
    themeScore: 0.9,
    eventId: event.id,
  };
  const members = [
    ...event.members,
    {
      articleId: article.id,
      sourceId: article.sourceId,
      publishedAt: article.publishedAt,
      simhash: null,
      contentHash: article.contentHash,
      copyOf: null,
      outlet: article.sourceId,
      credit: null,
    },
  ];
  const expectedSeq = await db.store.changes.sequence(event.theme);
  const grown = {
    ...event,
    title: report.eventTitle,
    members,
    articleCount: members.length,
    firstSeen: article.publishedAt < event.firstSeen ? article.publishedAt : event.firstSeen,
    lastSeen: article.publishedAt > event.lastSeen ? article.publishedAt : event.lastSeen,
    version: event.version + 1,
    seq: expectedSeq + 1,
  };
  const outcome = await db.store.events.commitMatches({
    themeId: event.theme,
    expectedSeq,
    guarded: true,
    articles: [
      {
        article,
        change: {
          seq: grown.seq,
          eventId: event.id,
          kind: "updated",
          before: { articleCount: event.articleCount, sourceCount: event.outlets.length },
          after: { articleCount: grown.articleCount, sourceCount: grown.outlets.length },
          claimedArticleIds: [],
        },
      },
    ],
    events: [{ event: grown, previousVersion: event.version }],
    reconsidered: [],
    now: fetchedAt,
  });
  expect(outcome.kind).toBe("committed");
  return grown;
}

/** A report published before the story's others, fetched at `fetchedAt`, that renames the event. */
const lateRenamingReport = (event: EventState, fetchedAt: Date) =>
  addReport(event, {
    title: "An early report, found late",
    link: "https://late.example/report",
    date: "2026-04-30T06:00:00Z",
    fetchedAt,
    eventTitle: "Dam story, renamed",
  });

describe("Last-Modified follows every change a feed shows", () => {
  it("a change that moves no date on the page still answers If-Modified-Since with the new body", async () => {
    // Two items a page: the late report lands on page 2, yet renames the event page 1 names.
    const deps = createTestDeps(db.store, { feedLimit: 2 }, "2026-05-04T12:00:00Z");
    const app = createApp(deps);
    const { event } = await storeStory(db.store, DAM_STORY, new Date("2026-05-04T10:00:00Z"));
    const routes = [
      "/feeds/isis-syria.json",
      "/feeds/isis-syria/events.rss",
      `/feeds/events/${event.id}.atom`,
      `/api/v1/events/${event.id}`,
    ];
    const before = new Map<string, string>();
    for (const route of routes) {
      const response = await app.request(route);
      expect(response.status, route).toBe(200);
      before.set(route, response.headers.get("last-modified") ?? "");
      expect(before.get(route), route).toBe("Mon, 04 May 2026 10:00:00 GMT");
    }

    await lateRenamingReport(event, new Date("2026-05-04T11:00:00Z"));
    deps.clock.set(new Date("2026-05-04T13:00:00Z"));

    for (const route of routes) {
      const response = await app.request(route, { headers: { "If-Modified-Since": before.get(route) ?? "" } });
      expect(response.status, route).toBe(200);
      expect(await response.text(), route).toContain("Dam story, renamed");
      expect(response.headers.get("last-modified"), route).toBe("Mon, 04 May 2026 11:00:00 GMT");
      const again = await app.request(route, { headers: { "If-Modified-Since": response.headers.get("last-modified") ?? "" } });
      expect(again.status, route).toBe(304);
    }
  });
});

describe("an event's item is dated by its last change", () => {
  it("a story that grows comes up again in the events feeds: RSS pubDate, Atom updated, JSON date_modified; same id", async () => {
    const deps = createTestDeps(db.store, {}, "2026-05-04T12:00:00Z");
    const app = createApp(deps);
    const story = CHECKPOINT_STORY;
    const { event } = await storeStory(db.store, story, new Date("2026-05-04T10:00:00Z"));
    const dates = async () => {
      const guid = `urn:eventwire:event:${event.id}`;
      const rss = await new Parser().parseString(await (await app.request("/feeds/isis-syria/events.rss")).text());
      const atom = await (await app.request("/feeds/isis-syria/events.atom")).text();
      const json = (await (await app.request("/feeds/isis-syria/events.json")).json()) as {
        items: { id: string; date_published: string; date_modified: string }[];
      };
      const entry = atom.split("<entry>").find((part) => part.includes(`<id>${guid}</id>`)) ?? "";
      return {
        rss: rss.items.find((item) => item.guid === guid)?.pubDate,
        atomUpdated: /<updated>([^<]+)<\/updated>/.exec(entry)?.[1],
        atomPublished: /<published>([^<]+)<\/published>/.exec(entry)?.[1],
        json: json.items.find((item) => item.id === guid),
      };
    };
    // Its newest report, not its first.
    expect(await dates()).toEqual({
      rss: "Sun, 03 May 2026 07:00:00 GMT",
      atomUpdated: "2026-05-03T07:00:00.000Z",
      atomPublished: "2026-05-03T06:00:00.000Z",
      json: expect.objectContaining({ date_published: "2026-05-03T06:00:00.000Z", date_modified: "2026-05-03T07:00:00.000Z" }),
    });
    await addReport(event, {
      title: "Raqqa checkpoint reopened after attack",
      link: "https://late.example/reopened",
      date: "2026-05-04T11:00:00Z",
      fetchedAt: new Date("2026-05-04T11:05:00Z"),
      eventTitle: story.title,
    });
    expect(await dates()).toEqual({
      rss: "Mon, 04 May 2026 11:00:00 GMT",
      atomUpdated: "2026-05-04T11:00:00.000Z",
      atomPublished: "2026-05-03T06:00:00.000Z",
      json: expect.objectContaining({ date_published: "2026-05-03T06:00:00.000Z", date_modified: "2026-05-04T11:00:00.000Z" }),
    });
  });
});

describe("item dates as feeds write them, through ingestion", () => {
  it("stores the instant each feed meant: named zones, zone-less UTC, Dublin Core terms, Atom 0.3, and no date for garbage", async () => {
    const feeds = ["named-zones.xml", "zoneless-dates.xml", "dcterms-dates.xml", "atom03-dates.xml", "garbage-dates.xml"];
    const server = await startTestServer(
      Object.fromEntries(feeds.map((name) => [`/${name}`, serveAlways(fixture(`feeds/real-world/${name}`), "application/xml")])),
    );
    const deps = createTestDeps(db.store, {}, "2026-05-06T00:00:00Z");
    try {
      for (const name of feeds) {
        const added = await addSource(deps, { url: `${server.url}/${name}` });
        if (!added.ok) throw new Error(added.error);
      }
      expect(await ingestDueSources(deps)).toMatchObject({ succeeded: feeds.length });
      const page = await deps.store.articles.listNewest({ limit: 100 });
      const stored = (await Promise.all(page.items.map((item) => deps.store.articles.get(item.id)))).filter(
        (article): article is Article => article !== null,
      );
      const dated = (url: string) => {
        const article = stored.find((candidate) => candidate.url === url);
        return article && [article.publishedAt, article.dateInferred];
      };
      expect(dated("https://zones.example/cest")).toEqual(["2026-05-05T02:00:00.000Z", false]);
      expect(dated("https://zones.example/bst")).toEqual(["2026-05-05T03:00:00.000Z", false]);
      expect(dated("https://zones.example/pt")).toEqual(["2026-05-05T12:00:00.000Z", false]);
      expect(dated("https://zoneless.example/1")).toEqual(["2026-05-04T04:00:00.000Z", false]);
      expect(dated("https://dcterms.example/modified")).toEqual(["2026-05-03T08:00:00.000Z", false]);
      expect(dated("https://atom03.example/1")).toEqual(["2026-05-01T08:00:00.000Z", false]);
      expect(dated("https://garbage.example/1")).toEqual(["2026-05-06T00:00:00.000Z", true]);
      expect(dated("https://garbage.example/2")).toEqual(["2026-05-06T00:00:00.000Z", true]);
      // Ordered by what the feeds meant: the CEST story before the PT one of the same wall-clock time.
      const order = page.items.map((item) => item.url);
      expect(order.indexOf("https://zones.example/pt")).toBeLessThan(order.indexOf("https://zones.example/cest"));
    } finally {
      await server.close();
    }
  });
});
