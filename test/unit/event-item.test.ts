import { gunzipSync } from "node:zlib";
import {
  createThemeMatcher,
  DEFAULT_THEMES,
  type EventState,
  importIntoEvent,
  matchInMemory,
  type ThemeDefinition,
} from "@eventwire/core";
import { eventFromItem, eventToItem } from "@eventwire/store";
import { describe, expect, it } from "vitest";

const TEXT =
  "Syrian Democratic Forces captured the Tabqa dam on the Euphrates after Islamic State militants withdrew from Raqqa province.";

/** An event grown by the matcher from three reports, so it has members, central terms, words and growth. */
function grownEvent(): EventState {
  const matcher = createThemeMatcher(DEFAULT_THEMES[0] as ThemeDefinition);
  const input = (id: string, hour: number) => ({
    id,
    sourceId: `source-${id}`,
    title: `Fighters capture Tabqa dam from Islamic State (${id})`,
    text: TEXT,
    summary: TEXT,
    publishedAt: new Date(Date.parse("2026-03-01T08:00:00Z") + hour * 3_600_000).toISOString(),
    dated: true,
    contentHash: id,
  });
  let event = importIntoEvent(matcher, input("a", 0), null);
  for (const [id, hour] of [
    ["b", 1],
    ["c", 5],
  ] as const) {
    const next = matchInMemory(matcher, input(id, hour));
    expect(next.event?.id).toBe(event.id);
    event = next.event as EventState;
  }
  return event;
}

describe("an event as an item", () => {
  it("writes the index part, the members part and the words part as three gzipped JSON attributes, and reads them back", () => {
    const event = grownEvent();
    expect(event.members).toHaveLength(3);
    expect(event.termWords?.size).toBeGreaterThan(0);
    expect(event.growth).toBeDefined();
    const item = eventToItem(event);
    expect(Object.keys(item)).toEqual(expect.arrayContaining(["indexGz", "membersGz", "wordsGz"]));
    const index = JSON.parse(gunzipSync(item.indexGz as Uint8Array).toString("utf8"));
    // The index part holds what a cold start indexes every event by, and no member.
    expect(Object.keys(index).sort()).toEqual(["bodyTerms", "entities", "outlets", "titleTerms"]);
    expect(index.titleTerms[0]).toEqual([...event.titleTerms.keys()]);
    const read = eventFromItem(item);
    expect(read).toEqual(eventFromItem(eventToItem(read)));
    expect([...read.titleTerms.keys()]).toEqual([...event.titleTerms.keys()]);
    expect(read.members).toEqual(event.members);
    expect([...(read.termWords ?? [])]).toEqual([...(event.termWords ?? [])]);
    expect(read.growth).toEqual(event.growth);
    expect([...read.centralTerms.keys()]).toEqual([...event.centralTerms.keys()]);
  });

  it("unpacks the members and words parts only when first read, and a spread or a write sees them as plain fields", () => {
    const item = eventToItem(grownEvent());
    const read = eventFromItem(item);
    expect(typeof Object.getOwnPropertyDescriptor(read, "members")?.get).toBe("function");
    expect(typeof Object.getOwnPropertyDescriptor(read, "termWords")?.get).toBe("function");
    // A spread reads them, and copies values.
    const copy = { ...read, version: read.version + 1 };
    expect(Object.getOwnPropertyDescriptor(copy, "members")?.get).toBeUndefined();
    expect(copy.members).toHaveLength(3);
    // Once read, the field is a plain value; a write replaces it.
    expect(Object.getOwnPropertyDescriptor(read, "members")?.value).toBe(copy.members);
    const fresh = eventFromItem(item);
    fresh.members = [];
    expect(fresh.members).toEqual([]);
    expect(fresh.centralTerms.size).toBeGreaterThan(0);
  });

  it("names the event and the part when a part cannot be read: the index part at once, the members part when first used", () => {
    const item = eventToItem(grownEvent());
    expect(() => eventFromItem({ ...item, indexGz: new Uint8Array([1, 2, 3]) })).toThrow(
      `event ${String(item.id)}: its matcher state cannot be read (indexGz:`,
    );
    const broken = eventFromItem({ ...item, membersGz: Buffer.from("not gzip") });
    expect(broken.titleTerms.size).toBeGreaterThan(0);
    expect(() => broken.members).toThrow(`event ${String(item.id)}: its matcher state cannot be read (membersGz:`);
  });
});
