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

/** Events read first, newest first: a theme that has no more is read in this one request. */
const HEAD_EVENTS = 100;

/** The window is read a slice of time at a time (a day), `CONCURRENCY` slices at once, newest first. */
const SLICE_MS = 86_400_000;
const CONCURRENCY = 4;

/**
 * A theme's live events last active within `windowMs` of its most recently active one (or the
 * newest `minEvents`, when the window holds fewer), the most recently active first, at most
 * `maxEvents`. Read from the theme's events index (by `lastSeen`, eventually consistent: a caller
 * catches up from the change log). A theme of up to `HEAD_EVENTS` events is read in one request;
 * a larger one a day at a time, several days at once, newest first: a day is
 * begun only while the days read hold fewer than `maxEvents`, and reads at most what they
 * leave. So a read is bounded by `maxEvents` items and what the days still being read hold
 * (`CONCURRENCY - 1` days at most), in pages of up to 1 MB.
 */
export async function readWindowEvents(
  doc: DynamoDBDocumentClient,
  tableName: string,
  themeId: string,
  request: WindowRequest,
): Promise<WindowEvents> {
  const base: RangeQuery = { tableName, index: "gsi2", partition: keys.themeEvents(themeId), newestFirst: true };
  const head = await queryRangePage(doc, base, { limit: HEAD_EVENTS });
  const newest = head.items[0]?.lastSeen;
  let requests = 1;
  if (typeof newest !== "string") return { events: [], newest: null, read: { items: 0, requests } };
  const newestMs = Date.parse(newest);
  const windowed = Number.isFinite(request.windowMs) && Number.isFinite(newestMs);
  if (head.lastKey === undefined) {
    // The theme's every event, in one request: those of the window, or the newest `minEvents`.
    const inWindow = windowed
      ? head.items.filter((item) => Date.parse(String(item.lastSeen)) >= newestMs - request.windowMs).length
      : head.items.length;
    const kept = head.items.slice(0, Math.min(request.maxEvents, Math.max(inWindow, request.minEvents)));
    return { events: liveEvents(kept), newest, read: { items: head.items.length, requests } };
  }
  // No window (or an unreadable newest time): one slice, the whole index partition.
  const count = windowed ? Math.max(1, Math.ceil(request.windowMs / SLICE_MS)) : 1;
  const step = request.windowMs / count;
  const bound = (slice: number) => new Date(newestMs - slice * step).toISOString();
  // Slice 0 is open above (an event active since the first read is welcome); each slice's upper
  // bound is the next one's lower, which the `time#id` keys sort after, so no item is in two.
  const slices: RangeQuery[] = Array.from({ length: count }, (_, slice) => ({
    ...base,
    range: windowed ? { from: bound(slice + 1), to: slice === 0 ? undefined : bound(slice) } : undefined,
  }));
  const found: EventState[][] = [];
  let read = 0;
  // Slices begin in order, so every finished slice is newer than one about to begin: what they
  // hold is what the cap leaves it, and once they hold the cap no older slice is needed.
  let held = 0;
  let next = 0;
  const readSlices = async () => {
    while (next < slices.length && held < request.maxEvents) {
      const slice = next;
      next += 1;
      const result = await queryRange(doc, slices[slice] as RangeQuery, { limit: request.maxEvents - held });
      requests += result.requests;
      read += result.items.length;
      held += result.items.length;
      // Unpacked as each slice comes, while the others are still being read.
      found[slice] = liveEvents(result.items);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, readSlices));
  const events = found.flat();
  // A quiet theme: the window holds too few events to weigh terms by, so older ones stand in.
  if (read < request.minEvents && next === slices.length && windowed) {
    const older = await queryRange(doc, { ...base, range: { below: bound(count) } }, { limit: request.minEvents - read });
    requests += older.requests;
    read += older.items.length;
    events.push(...liveEvents(older.items));
  }
  return { events: events.slice(0, request.maxEvents), newest, read: { items: read, requests } };
}

/** Event items as events; a merged-away one (read while its merge was written) is passed over. */
function liveEvents(items: readonly Item[]): EventState[] {
  return items.filter((item) => typeof item.mergedInto !== "string").map(eventFromItem);
}
