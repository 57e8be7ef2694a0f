import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { articleHoldsTerms, bucketOf, digestMayHold } from "@eventwire/core";
import type { FilteredPage, FilteredPageRequest, SortRange } from "./filtered-page";
import { batchGetItems, type Item, type PageKey } from "./items";
import { queryRangePage } from "./range-query";
import type { SearchIndexRepository, SearchLevel, StoredDigest } from "./search-index-repository";
import type { IndexName } from "./table";

// A search of an article listing, newest first, that skips the stretches of time the search
// index says hold no match. The walk goes down levels: UTC days' digests, then the slots'
// digests of a day that may hold one (or has none: not digested yet, or a table older than the
// index), then the articles of a slot that may hold one (or has no digest). Those are read as
// much as the search reads of them (their keys, title and summary: about a quarter of an article
// item's bytes in the year bench), and only the ones whose words match are then read whole and filtered as any listing's:
// a slot is some tens of articles at a busy theme's rate and holds a match in few of them. Where
// a page stops is one sort key: every article above it has been read or skipped, so a cursor
// carries `{ below }` and every match comes exactly once, in order.

/**
 * Digest bytes after which a page reads no further digest, beside its `maxRead` articles (a day's
 * digest is some tens of KB; the query that passes it is read whole: a page reads at most twice it).
 */
export const SEARCH_DIGEST_BUDGET = 1024 * 1024;
/**
 * Digests one query asks for at most: a month of days, or a day of slots. A walk asks for 2 first
 * and four times as many each time after, so a search whose matches are recent reads few.
 */
const DIGESTS_PER_QUERY: Record<SearchLevel, number> = { day: 32, slot: 288 };
const FIRST_DIGESTS = 2;
/** Late marks one page reads; below the last of more, every digest counts as a possible match. */
const LATE_MARKS_PER_PAGE = 500;
const ARTICLES_PER_QUERY = 200;
/** What a page reads of an article before its words match: its keys and what the search reads. */
const SEARCHED_PROJECTION = "pk, sk, title, summary";
/** Sorts above every sort key ("<ISO time>#<id>"). */
const TOP = "~";

type SearchQuery<T> = {
  tableName: string;
  index: IndexName;
  partition: string;
  range: SortRange;
  terms: readonly string[];
  read: (item: Item) => T;
  readPage?: ((items: readonly Item[]) => Promise<(T | null)[]>) | undefined;
  /** Digest bytes a page reads before it stops (`SEARCH_DIGEST_BUDGET` when absent). */
  digestBudget?: number | undefined;
};

type Status = "done" | "stopped";

/** Where a page starts: a search cursor's `below`, or the index key of a cursor issued before the search index. */
function startBelow(after: PageKey | null | undefined, index: IndexName, range: SortRange): string {
  const below = after?.below ?? after?.[`${index}sk`];
  if (below !== undefined) return below;
  return range.to ?? TOP;
}

/** The newest instant a sort key below `below` may carry (epoch ms). */
function topInstant(below: string): number {
  if (below === TOP) return Number.POSITIVE_INFINITY;
  const [time, id] = below.split("#");
  const ms = Date.parse(time ?? "");
  return id === undefined ? ms - 1 : ms;
}

/**
 * One page of a search (`terms` non-empty) of one listing partition, newest first: up to
 * `limit` articles `accept` takes, reading at most `maxRead` articles and about
 * `SEARCH_DIGEST_BUDGET` bytes of digests; `nextKey` is `{ below }`, null once the range is read.
 */
export async function querySearchPage<T>(
  doc: DynamoDBDocumentClient,
  index: SearchIndexRepository,
  query: SearchQuery<T>,
  request: FilteredPageRequest<T>,
): Promise<FilteredPage<T>> {
  const floor = query.range.from ?? "";
  const items: T[] = [];
  let below = startBelow(request.after, query.index, query.range);
  let read = 0;
  let digestBytes = 0;
  const start = below;
  const stopped = () => items.length >= request.limit || read >= request.maxRead;
  // Past the budget, no further digest is read; until the page has moved, one is, so every page moves on.
  const mayReadDigests = () => digestBytes < (query.digestBudget ?? SEARCH_DIGEST_BUDGET) || below === start;

  // Articles written late into buckets that may be digested: those buckets are read whatever
  // their digests say, until the digests hold them.
  const late = await index.lateMarksIn({ from: query.range.from, below }, LATE_MARKS_PER_PAGE);
  const lateFloor = late.more ? (late.sortKeys.at(-1) ?? below) : "";
  const mayHold = (digest: StoredDigest) =>
    digest.start <= lateFloor ||
    late.sortKeys.some((key) => key >= digest.start && key < digest.end) ||
    (digest.articles > 0 && digestMayHold(digest.digest, query.terms));

  /** Reads the articles from `lo` to below `below`, filtering them, until the span ends or the page is full. */
  async function readArticles(lo: string): Promise<Status> {
    const top = below;
    if (top <= lo) return "done";
    let startKey: Item | undefined;
    for (;;) {
      if (stopped()) return "stopped";
      const range = { from: lo === "" ? undefined : lo, to: top === TOP ? undefined : top };
      const page = await queryRangePage(
        doc,
        {
          tableName: query.tableName,
          index: query.index,
          partition: query.partition,
          range,
          newestFirst: true,
          projection: `${SEARCHED_PROJECTION}, ${query.index}sk`,
        },
        { limit: Math.min(ARTICLES_PER_QUERY, request.maxRead - read), startKey },
      );
      for (const item of page.items) {
        const key = sortKeyOf(item);
        read += 1;
        // The range's top is inclusive; the article at `below` itself came on an earlier page.
        if (key === top) continue;
        below = key;
        if (!holdsTerms(item)) continue;
        matches.push(item);
        if (items.length + matches.length < request.limit) continue;
        await readMatches();
        if (items.length >= request.limit) return "stopped";
      }
      if (page.lastKey === undefined) {
        below = lo;
        return "done";
      }
      startKey = page.lastKey;
    }
  }

  const sortKeyOf = (item: Item) => String(item[`${query.index}sk`]);
  const holdsTerms = (item: Item) =>
    articleHoldsTerms(query.terms, { title: String(item.title ?? ""), summary: String(item.summary ?? "") });

  /** Articles read whose words match, not read whole yet, newest first; all above `below`. */
  const matches: Item[] = [];

  /**
   * Reads the pending matches whole, in one go (by their table keys: an article's own item, or a
   * theme's membership of it), as the listing reads them, and keeps those `accept` takes; if the
   * page fills at one, the page ends there (`below` is its key). One gone since the index was
   * read is left out.
   */
  async function readMatches(): Promise<void> {
    const batch = matches.splice(0);
    if (batch.length === 0) return;
    const keysOf = batch.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
    const whole = await batchGetItems(doc, query.tableName, keysOf);
    const values = query.readPage === undefined ? whole.map(query.read) : await query.readPage(whole);
    const byKey = new Map(whole.map((item, position) => [sortKeyOf(item), values[position] ?? null]));
    for (const match of batch) {
      const value = byKey.get(sortKeyOf(match)) ?? null;
      if (value === null || (request.accept !== null && !request.accept(value))) continue;
      items.push(value);
      if (items.length >= request.limit) {
        below = sortKeyOf(match);
        return;
      }
    }
  }

  /** Walks the digests of `level` from below `below` down to `lo`, going a level down where one may hold a match or is missing. */
  async function walk(level: SearchLevel, lo: string): Promise<Status> {
    const down = (spanLow: string) => (level === "day" ? walk("slot", spanLow) : readArticles(spanLow));
    let limit = FIRST_DIGESTS;
    for (;;) {
      if (stopped()) return "stopped";
      if (below <= lo) return "done";
      if (!mayReadDigests()) return "stopped";
      const top = topInstant(below);
      const toStart = Number.isFinite(top) ? bucketOf(level, top).start : undefined;
      const fromStart = lo === "" ? undefined : bucketOf(level, Date.parse(lo)).start;
      const digests = await index.digests(level, { fromStart, toStart }, limit);
      for (const digest of digests) digestBytes += digest.digest.bits.length;
      for (const digest of digests) {
        // Time above this bucket with no digest: a level down.
        if (below > digest.end && (await down(digest.end > lo ? digest.end : lo)) === "stopped") return "stopped";
        const spanLow = digest.start > lo ? digest.start : lo;
        if (below <= spanLow) continue;
        if (!mayHold(digest)) below = spanLow;
        else if ((await down(spanLow)) === "stopped") return "stopped";
      }
      // Fewer than asked for: no digest below the last one down to `lo`.
      if (digests.length < limit) return down(lo);
      limit = Math.min(limit * 4, DIGESTS_PER_QUERY[level]);
    }
  }

  const walked = below <= floor ? "done" : await walk("day", floor);
  await readMatches();
  // Filled by the last matches: the page ends at the one that filled it.
  const status = items.length >= request.limit ? "stopped" : walked;
  return { items, nextKey: status === "done" ? null : { below }, read };
}
