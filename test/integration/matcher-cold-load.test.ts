import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { type EventState, INDEX_WINDOW, SHIPPED_MODEL } from "@eventwire/core";
import { matchArticle, matchArticles } from "@eventwire/pipeline";
import { describe, expect, it } from "vitest";
import { eventToItem } from "../../packages/store/src/event-item";
import { fixturesByName, pickFixture } from "../support/articles";
import { createTestDeps, type TestDeps } from "../support/deps";
import { type TestStore, useTestTables } from "../support/store";

const { freshTable } = useTestTables();
const THEME = "isis-syria";
const DAY = 86_400_000;
const WINDOW = SHIPPED_MODEL.windowDays * DAY;

/** An invented event of the theme, last seen at `lastSeen`, sharing no word with the fixture stories. */
function filler(id: string, lastSeen: string): EventState {
  const weights = new Map([
    [`filler${id}`, 0.8],
    ["harvest", 0.6],
  ]);
  return {
    id,
    theme: THEME,
    version: 1,
    seq: 0,
    title: `Harvest report ${id}`,
    centralArticleId: `article-${id}`,
    centralTerms: weights,
    centralScore: 1,
    firstSeen: lastSeen,
    lastSeen,
    articleCount: 1,
    originalCount: 1,
    outlets: [{ key: "farmdesk", name: "Farm Desk" }],
    titleTerms: weights,
    bodyTerms: weights,
    entities: new Map([["harvest fair", { type: "other" as const, weight: 1 }]]),
    members: [],
  };
}

async function putEvents(table: TestStore, events: readonly EventState[]): Promise<void> {
  for (let start = 0; start < events.length; start += 25) {
    const chunk = events.slice(start, start + 25).map((event) => ({ PutRequest: { Item: eventToItem(event) } }));
    await table.clients.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: chunk } }));
  }
}

const at = (base: string, ms: number) => new Date(Date.parse(base) + ms).toISOString();

/** More events inside the window back from `newest` than the index keeps at least (one an hour), and some older. */
function fillers(newest: string): { inside: EventState[]; outside: EventState[] } {
  const inside = Array.from({ length: INDEX_WINDOW.minEvents + 20 }, (_, index) =>
    filler(`inside-${index}`, at(newest, -index * 3_600_000)),
  );
  const outside = Array.from({ length: 30 }, (_, index) => filler(`outside-${index}`, at(newest, -WINDOW - (index + 1) * DAY)));
  return { inside, outside };
}

const cachedIds = (deps: TestDeps) => new Set(deps.matchers.get(THEME)?.matcher.index.events.keys() ?? []);

describe("a matcher's cold load", () => {
  describe("happy", () => {
    it("reads the window's events and no older, and catches up on changes made after it", async () => {
      const table = await freshTable();
      const articles = fixturesByName("stream.jsonl");
      const pick = (name: string) => pickFixture(articles, name);
      const a = createTestDeps(table.store);
      await matchArticles(
        a,
        ["dam-battle", "dam-captured"].map((name) => pick(name)),
      );
      const dam = (await table.store.events.listByTheme(THEME, { limit: 1 })).items[0] as EventState;
      const { inside, outside } = fillers(dam.lastSeen);
      await putEvents(table, [...inside, ...outside]);

      // A new process, two minutes on: every change is settled, so its sequence comes from the log's head.
      const b = createTestDeps(table.store);
      b.clock.advance(120_000);
      const repairs = await matchArticle(b, pick("dam-repairs"));
      expect(repairs.explanation).toMatchObject({ decision: "attached", eventId: dam.id });
      const cached = cachedIds(b);
      expect(inside.every((event) => cached.has(event.id))).toBe(true);
      expect(outside.some((event) => cached.has(event.id))).toBe(false);
      const loaded = b.logs.find((entry) => entry.message === "matcher cache loaded" && entry.level === "debug");
      expect(loaded?.fields).toMatchObject({ events: inside.length + 1, seq: 2 });

      // Another process opens a story after B's load; B's next article joins it from the log.
      const talks = await matchArticle(a, pick("aleppo-talks"));
      expect(talks.explanation?.decision).toBe("new-event");
      const corridors = await matchArticle(b, pick("aleppo-corridors"));
      expect(corridors.explanation).toMatchObject({ decision: "attached", eventId: talks.explanation?.eventId });
    });

    it("reads the newest events up to the cap, and older ones when the window holds too few", async () => {
      const table = await freshTable();
      const newest = "2026-03-04T00:00:00.000Z";
      const { inside, outside } = fillers(newest);
      await putEvents(table, [...inside, ...outside]);
      const newestFirst = (events: readonly EventState[]) => [...events].sort((x, y) => y.lastSeen.localeCompare(x.lastSeen));

      const capped = await table.store.events.readWindow(THEME, { windowMs: WINDOW, minEvents: 0, maxEvents: 40 });
      expect(capped.events.map((event) => event.id)).toEqual(
        newestFirst(inside)
          .slice(0, 40)
          .map((event) => event.id),
      );
      expect(capped.newest).toBe(newestFirst(inside)[0]?.lastSeen);
      // A day at a time, four at once (24 or 25 events a day here): past the cap, only the days being read.
      expect(capped.read.items).toBeLessThanOrEqual(40 + 3 * 25);

      const whole = await table.store.events.readWindow(THEME, { windowMs: WINDOW, minEvents: 0, maxEvents: 5000 });
      expect(whole.events.map((event) => event.id).sort()).toEqual(inside.map((event) => event.id).sort());

      const floor = inside.length + 10;
      const quiet = await table.store.events.readWindow(THEME, { windowMs: WINDOW, minEvents: floor, maxEvents: 5000 });
      expect(quiet.events).toHaveLength(floor);
      expect(quiet.events.slice(inside.length).map((event) => event.id)).toEqual(
        newestFirst(outside)
          .slice(0, 10)
          .map((event) => event.id),
      );
    });

    it("reads an empty theme, and a small one, in one request", async () => {
      const table = await freshTable();
      const empty = await table.store.events.readWindow(THEME, { windowMs: WINDOW, minEvents: 500, maxEvents: 5000 });
      expect(empty).toEqual({ events: [], newest: null, read: { items: 0, requests: 1 } });

      const newest = "2026-03-04T00:00:00.000Z";
      await putEvents(table, [
        filler("new", newest),
        filler("inside", at(newest, -WINDOW)),
        filler("old", at(newest, -WINDOW - 1)),
      ]);
      const ids = async (minEvents: number, maxEvents: number) => {
        const read = await table.store.events.readWindow(THEME, { windowMs: WINDOW, minEvents, maxEvents });
        expect(read.read).toEqual({ items: 3, requests: 1 });
        return read.events.map((event) => event.id);
      };
      expect(await ids(0, 5000)).toEqual(["new", "inside"]);
      expect(await ids(500, 5000)).toEqual(["new", "inside", "old"]);
      expect(await ids(500, 2)).toEqual(["new", "inside"]);
    });
  });
});
