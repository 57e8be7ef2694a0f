import { articleSearchTerms, bucketOf, closedBefore, createDigest, type TimeBucket } from "@eventwire/core";
import { digestItem, type SearchLevel } from "@eventwire/store";

type Item = Record<string, unknown>;
type Open = { bucket: TimeBucket; terms: Set<string>; articles: number };

const SLOT_MS = Date.parse(bucketOf("slot", 0).end);
const DAY_MS = Date.parse(bucketOf("day", 0).end);

/**
 * The search index of a generated year, as the maintenance pass's build leaves it: a digest of
 * every closed slot and day from the year's first article on, empty ones included (within the
 * built span, no digest means "not built yet"). Fed each day's items in order; a bucket's digest
 * is made once every article it can hold has been seen, so only the open buckets are held.
 */
export function createYearDigests(startMs: number, endMs: number) {
  const closed = closedBefore(new Date(endMs));
  const open = { slot: new Map<number, Open>(), day: new Map<number, Open>() };
  const next = { slot: Math.floor(startMs / SLOT_MS) * SLOT_MS, day: Math.floor(startMs / DAY_MS) * DAY_MS };
  const size = { slot: SLOT_MS, day: DAY_MS };
  let digests = 0;
  let bytes = 0;

  const add = (level: SearchLevel, ms: number, terms: readonly string[]) => {
    const start = Math.floor(ms / size[level]) * size[level];
    let entry = open[level].get(start);
    if (entry === undefined) {
      entry = { bucket: bucketOf(level, start), terms: new Set(), articles: 0 };
      open[level].set(start, entry);
    }
    for (const term of terms) entry.terms.add(term);
    entry.articles += 1;
  };
  /** Digests of every bucket of `level` that ends at or before `upTo` and is closed. */
  const flush = (level: SearchLevel, upTo: number): Item[] => {
    const items: Item[] = [];
    while (next[level] + size[level] <= Math.min(upTo, closed)) {
      const start = next[level];
      const entry = open[level].get(start) ?? { bucket: bucketOf(level, start), terms: new Set<string>(), articles: 0 };
      open[level].delete(start);
      const item = digestItem(level, entry.bucket, createDigest(entry.terms), entry.articles, 1);
      digests += 1;
      bytes += (item.bits as Uint8Array).byteLength;
      items.push(item);
      next[level] += size[level];
    }
    return items;
  };

  return {
    /** The digests a day's items close (articles before the day's earliest are all seen); `last`: the year's end. */
    take(items: readonly Item[], last: boolean): Item[] {
      let earliest = Number.POSITIVE_INFINITY;
      for (const item of items) {
        if (item.type !== "article") continue;
        const ms = Date.parse(String(item.publishedAt));
        earliest = Math.min(earliest, ms);
        const terms = articleSearchTerms({ title: String(item.title ?? ""), summary: String(item.summary ?? "") });
        add("slot", ms, terms);
        add("day", ms, terms);
      }
      if (!last && earliest === Number.POSITIVE_INFINITY) return [];
      const upTo = last ? endMs : earliest;
      return [...flush("slot", upTo), ...flush("day", upTo)];
    },
    get written() {
      return { digests, bytes };
    },
  };
}
