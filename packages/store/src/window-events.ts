import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { EventState } from "@eventwire/core";
import { eventFromItem } from "./event-item";
import type { Item } from "./items";
import { keys } from "./keys";
import { queryRange, queryRangePage, type RangeQuery } from "./range-query";

/** What a matcher's cold start asks for: the theme's events of a window, and how many at most. */
export type WindowRequest = {
  /** How far back from the newest event's `lastSeen` (ms). */
  windowMs: number;
  /** The newest this many are read even when they are older than the window (a quiet theme). */
  minEvents: number;
  /** The most events read; the newest are kept. */
  maxEvents: number;
};

/** The events read (the most recently active first), the newest `lastSeen` (null: no events), and the cost. */
export type WindowEvents = {
  events: EventState[];
  newest: string | null;
  /** Items read and Query requests made. */
  read: { items: number; requests: number };
};

/** Time slices of the window read at once, newest first; `SLICES` of them over the window. */
const SLICES = 12;
const CONCURRENCY = 4;

/**
 * A theme's live events last active within `windowMs` of its most recently active one (or the
 * newest `minEvents`, when the window holds fewer), the most recently active first, at most
 * `maxEvents`. Read from the theme's events index (by `lastSeen`, eventually consistent: a caller
 * catches up from the change log) in time slices, several at once, newest first: a slice is
 * begun only while the finished newer slices hold fewer than `maxEvents`, and reads at most what
 * they leave. So a read is bounded by `maxEvents` items and about `CONCURRENCY - 1` slices more,
 * in 1 MB pages.
 */
export async function readWindowEvents(
  doc: DynamoDBDocumentClient,
  tableName: string,
  themeId: string,
  request: WindowRequest,
): Promise<WindowEvents> {
  const base: RangeQuery = { tableName, index: "gsi2", partition: keys.themeEvents(themeId), newestFirst: true };
  const head = await queryRangePage(doc, { ...base, projection: "lastSeen" }, { limit: 1 });
  const newest = head.items[0]?.lastSeen;
  let requests = 1;
  if (typeof newest !== "string") return { events: [], newest: null, read: { items: 0, requests } };
  const newestMs = Date.parse(newest);
  // No window (or an unreadable newest time): one slice, the whole index partition.
  const count = Number.isFinite(request.windowMs) && Number.isFinite(newestMs) ? SLICES : 1;
  const step = request.windowMs / count;
  const bound = (slice: number) => new Date(newestMs - slice * step).toISOString();
  // Slice 0 is open above (an event active since the first read is welcome); each slice's upper
  // bound is the next one's lower, which the `time#id` keys sort after, so no item is in two.
  const slices: RangeQuery[] = Array.from({ length: count }, (_, slice) => ({
    ...base,
    range: count === 1 ? undefined : { from: bound(slice + 1), to: slice === 0 ? undefined : bound(slice) },
  }));
  const found: Item[][] = [];
  let finishedPrefix = 0;
  let heldByPrefix = 0;
  let next = 0;
  const readSlices = async () => {
    while (next < slices.length && heldByPrefix < request.maxEvents) {
      const slice = next;
      next += 1;
      const result = await queryRange(doc, slices[slice] as RangeQuery, { limit: request.maxEvents - heldByPrefix });
      requests += result.requests;
      found[slice] = result.items;
      // Only slices newer than every unread one count towards the cap: the newest are kept.
      while (found[finishedPrefix] !== undefined) {
        heldByPrefix += (found[finishedPrefix] as Item[]).length;
        finishedPrefix += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, readSlices));
  const items = found.flat();
  // A quiet theme: the window holds too few events to weigh terms by, so older ones stand in.
  if (items.length < request.minEvents && next === slices.length && count > 1) {
    const older = await queryRange(doc, { ...base, range: { below: bound(count) } }, { limit: request.minEvents - items.length });
    requests += older.requests;
    items.push(...older.items);
  }
  const kept = items.slice(0, request.maxEvents);
  // Merged-away events leave the index; one read while its merge was written is passed over.
  const events = kept.filter((item) => typeof item.mergedInto !== "string").map(eventFromItem);
  return { events, newest, read: { items: items.length, requests } };
}
