import type { EventState } from "@eventwire/core";
import type { PagePosition } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeStory } from "../support/events";
import { createTestStore, type TestStore } from "../support/store";

let db: TestStore;
let events: EventState[];
let articleIds: string[];

// Seven one-day stories; story n has n % 3 + 1 distinct sources and n + 1 articles.
beforeAll(async () => {
  db = await createTestStore();
  events = [];
  articleIds = [];
  for (let n = 0; n < 7; n += 1) {
    const { event, articles } = await storeStory(db.store, {
      title: `Story ${n}`,
      articles: Array.from({ length: n + 1 }, (_, index) => ({
        source: `outlet-${index % ((n % 3) + 1)}.example`,
        published: `2026-04-${String(10 + n).padStart(2, "0")}T${String(10 + index).padStart(2, "0")}:00:00Z`,
        title: `Story ${n}, report ${index}`,
      })),
    });
    events.push(event);
    if (n === 6) articleIds = articles.map((article) => article.id);
  }
});

afterAll(async () => {
  await db.drop();
});

const newestFirst = () => [...events].reverse().map((event) => event.id);

describe("two-way pages", () => {
  it("pages a theme's events newest first, each once, with no key to an empty page", async () => {
    const seen: string[][] = [];
    let position: PagePosition | null = null;
    do {
      const page = await db.store.events.pageByTheme("isis-syria", { limit: 3, position });
      seen.push(page.items.map((event) => event.id));
      expect(page.newerKey === null).toBe(position === null);
      position = page.olderKey === null ? null : { direction: "older", key: page.olderKey };
    } while (position !== null);
    expect(seen.map((ids) => ids.length)).toEqual([3, 3, 1]);
    expect(seen.flat()).toEqual(newestFirst());
  });

  it("goes back to newer items, and from the second page back to the whole first page", async () => {
    const first = await db.store.events.pageByTheme("isis-syria", { limit: 3 });
    const second = await db.store.events.pageByTheme("isis-syria", {
      limit: 3,
      position: { direction: "older", key: first.olderKey ?? {} },
    });
    const third = await db.store.events.pageByTheme("isis-syria", {
      limit: 3,
      position: { direction: "older", key: second.olderKey ?? {} },
    });
    const backToSecond = await db.store.events.pageByTheme("isis-syria", {
      limit: 3,
      position: { direction: "newer", key: third.newerKey ?? {} },
    });
    expect(backToSecond.items.map((event) => event.id)).toEqual(second.items.map((event) => event.id));
    expect(backToSecond.newerKey).not.toBeNull();
    const backToFirst = await db.store.events.pageByTheme("isis-syria", {
      limit: 3,
      position: { direction: "newer", key: backToSecond.newerKey ?? {} },
    });
    expect(backToFirst.items.map((event) => event.id)).toEqual(first.items.map((event) => event.id));
    expect(backToFirst.newerKey).toBeNull();
  });

  it("keeps only events with at least minSources distinct sources, across pages", async () => {
    const expected = [...events].reverse().filter((event) => event.outlets.length >= 3);
    expect(expected.length).toBe(2);
    const first = await db.store.events.pageByTheme("isis-syria", { limit: 1, minSources: 3 });
    const second = await db.store.events.pageByTheme("isis-syria", {
      limit: 1,
      minSources: 3,
      position: { direction: "older", key: first.olderKey ?? {} },
    });
    expect([...first.items, ...second.items].map((event) => event.id)).toEqual(expected.map((event) => event.id));
    expect(second.olderKey).toBeNull();
  });

  it("with a read bound, a sparse filter gives short pages that still reach every match once", async () => {
    const expected = [...events].reverse().filter((event) => event.outlets.length >= 3);
    const request = { limit: 5, minSources: 3, maxRead: 2 };
    const pages: string[][] = [];
    const newerKeys: (PagePosition["key"] | null)[] = [];
    let position: PagePosition | null = null;
    do {
      const page = await db.store.events.pageByTheme("isis-syria", { ...request, position });
      pages.push(page.items.map((event) => event.id));
      newerKeys.push(page.newerKey);
      position = page.olderKey === null ? null : { direction: "older", key: page.olderKey };
    } while (position !== null && pages.length < 10);
    // Seven events read two at a time: four requests, none reading past its bound.
    expect(pages.map((ids) => ids.length)).toEqual([1, 0, 1, 0]);
    expect(pages.flat()).toEqual(expected.map((event) => event.id));
    // Back towards newer items from the third page: the bound stops the read short, and the
    // answer is the first page, itself a bounded read.
    const back = await db.store.events.pageByTheme("isis-syria", {
      ...request,
      position: { direction: "newer", key: newerKeys[2] ?? {} },
    });
    expect(back.items.map((event) => event.id)).toEqual(pages[0]);
    expect(back.newerKey).toBeNull();
  });

  it("pages one event's articles newest first", async () => {
    const first = await db.store.articles.pageByEvent((events[6] as EventState).id, { limit: 4 });
    const rest = await db.store.articles.pageByEvent((events[6] as EventState).id, {
      limit: 4,
      position: { direction: "older", key: first.olderKey ?? {} },
    });
    expect([...first.items, ...rest.items].map((article) => article.id)).toEqual([...articleIds].reverse());
    expect(rest.olderKey).toBeNull();
  });

  it("reads article summaries and event titles by id, in the order asked, leaving out missing ones", async () => {
    const [a, b] = articleIds;
    const summaries = await db.store.articles.getSummaries([b ?? "", "f".repeat(32), a ?? ""]);
    expect(summaries.map((article) => article.id)).toEqual([b, a]);
    expect(summaries.every((article) => !("text" in article))).toBe(true);
    const titles = await db.store.events.titles([(events[1] as EventState).id, "f".repeat(32)]);
    expect([...titles]).toEqual([[(events[1] as EventState).id, "Story 1"]]);
  });
});
