import { type App, createApp } from "@eventwire/api";
import type { EventState } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { storeStories } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";
import { DAM_STORY, WIRE_STORY } from "../support/stories";

// What the pages show of each event beyond its title: a lead line from its central article, its
// outlets with the sources that carried their reports, and a picture of how it grew, for events
// as stored (their growth in the event item) and for one stored before growth was kept.

let db: TestStore;
let app: App;
let wire: EventState;
let dam: EventState;

const THE_LEAD = "A U.S. convoy was hit by a roadside bomb near Deir ez-Zor on Friday, Dr. Haddad of the local council said.";
const WIRE_LABEL = "5 articles over 4 days, most on Friday 24 April 2026 (3)";

beforeAll(async () => {
  db = await createTestStore();
  app = createApp(createTestDeps(db.store));
  const { events } = await storeStories(db.store, [WIRE_STORY, DAM_STORY]);
  [wire, dam] = events as [EventState, EventState];
});

afterAll(async () => {
  await db.drop();
});

const page = async (path: string) => {
  const response = await app.request(path);
  expect(response.status, path).toBe(200);
  return response.text();
};
/** The list item of an event on the home page, from its title to its end. */
const itemOf = (body: string, event: EventState) => {
  const start = body.indexOf(`/events/${event.id}"`);
  expect(start, event.title).toBeGreaterThan(0);
  return body.slice(start, body.indexOf("</li>", start));
};

describe("the growth an event keeps", () => {
  it("is stored with the event: per hour for its first two days, per day throughout", async () => {
    const stored = await db.store.events.get(wire.id);
    expect(stored?.growth).toEqual({
      hours: { "2026-04-24T06": 1, "2026-04-24T07": 2 },
      days: { "2026-04-24": 3, "2026-04-26": 1, "2026-04-27": 1 },
    });
  });
});

describe("each event on the home page", () => {
  it("has the first sentence of its central article's summary, abbreviations kept whole", async () => {
    const item = itemOf(await page("/"), wire);
    expect(item).toContain(`<p class="lead">${THE_LEAD}</p>`);
    expect(item).not.toContain("Two vehicles burned");
    // The dam story's summaries only say their titles again: no lead line.
    expect(itemOf(await page("/"), dam)).not.toContain('class="lead"');
  });

  it("names its outlets with the sources that carried a report folded under it", async () => {
    const item = itemOf(await page("/"), wire);
    expect(item).toContain("5 articles · 2 sources");
    expect(item).toContain(
      'Sources: levant-wire.example<span class="carriers"> (also carried by foo-daily.example, bar-times.example)</span>, north-desk.example',
    );
  });

  it("draws how it grew as a small inline SVG with its words as title and label", async () => {
    const item = itemOf(await page("/"), wire);
    const svg = /<svg class="growth growth-small"[^>]*>.*?<\/svg>/.exec(item)?.[0] ?? "";
    expect(svg).toContain(`aria-label="${WIRE_LABEL}"`);
    expect(svg).toContain(`<title>${WIRE_LABEL}</title>`);
    // Four days, one empty: three bars, the first the tallest.
    expect([...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((match) => Number(match[1]))).toEqual([27, 9, 9]);
    const hourly = /<svg class="growth growth-small"[^>]*aria-label="([^"]+)"/.exec(itemOf(await page("/"), dam))?.[1];
    expect(hourly).toBe("3 articles over 26 hours, at most 1 an hour");
  });
});

describe("an event's page", () => {
  it("shows the lead, the folded outlets and the picture larger, with its time axis", async () => {
    const body = await page(`/events/${wire.id}`);
    expect(body).toContain(`<h1>${WIRE_STORY.title}</h1><p class="lead">${THE_LEAD}</p>`);
    expect(body).toContain("(also carried by foo-daily.example, bar-times.example)");
    expect(body).toContain(
      '<h2 id="growth">How the story grew</h2><figure class="growth-figure"><svg class="growth growth-large"',
    );
    expect(body).toContain('<div class="growth-axis" aria-hidden="true"><span>24 Apr</span><span>27 Apr</span></div>');
    expect(body).toContain(`<figcaption>${WIRE_LABEL}. One bar per day (UTC); the tallest stands for 3 articles.</figcaption>`);
    expect(body).toContain("<title>3 articles, 24 Apr 2026</title>");
  });
});

describe("an event stored before growth was kept", () => {
  it("is drawn from its members while they are all its articles, and not at all once they are only its latest", async () => {
    const { growth: _, ...legacy } = (await db.store.events.get(dam.id)) as EventState;
    const commit = async (event: EventState) => {
      const expectedSeq = await db.store.changes.sequence(event.theme);
      const outcome = await db.store.events.commitMatches({
        themeId: event.theme,
        expectedSeq,
        guarded: true,
        articles: [],
        events: [{ event: { ...event, version: event.version + 1 }, previousVersion: event.version }],
        reconsidered: [],
        now: new Date("2026-05-04T10:00:00Z"),
      });
      expect(outcome.kind).toBe("committed");
      return (await db.store.events.get(event.id)) as EventState;
    };
    const complete = await commit(legacy);
    expect(complete.growth).toBeUndefined();
    expect(itemOf(await page("/"), dam)).toContain('aria-label="3 articles over 26 hours, at most 1 an hour"');

    // Only the latest members kept (as for a story past the members' bound): no picture, the rest as before.
    await commit({ ...complete, members: complete.members.slice(-1) });
    const item = itemOf(await page("/"), dam);
    expect(item).not.toContain("<svg");
    expect(item).toContain("3 articles · 3 sources");
    const body = await page(`/events/${dam.id}`);
    expect(body).not.toContain("How the story grew");
    expect(body).toContain("<h1>Fighters take Euphrates dam</h1>");
  });
});
