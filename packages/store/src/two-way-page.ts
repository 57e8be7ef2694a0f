import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Item, PageKey } from "./items";
import { queryRangePage } from "./range-query";
import type { IndexName } from "./table";

/**
 * Where a page starts: right after `key` going to older items, or right before it going to
 * newer ones. A null position is the first (newest) page.
 */
export type PagePosition = { direction: "older" | "newer"; key: PageKey };

export type TwoWayPageRequest = {
  limit: number;
  position?: PagePosition | null | undefined;
  /**
   * With a filter, the most items one page may read (passing or not). A page that reaches it
   * comes back short (even empty) with a key to continue from where it stopped, so a filter
   * that few items pass costs a bounded read per request, never a scan of the partition.
   */
  maxRead?: number | undefined;
};

/**
 * A page in newest-first order. `olderKey` continues to the older items (null at the end),
 * `newerKey` goes back to the newer ones (null on the first page).
 */
export type TwoWayPage<T> = { items: T[]; olderKey: PageKey | null; newerKey: PageKey | null };

type Query = {
  tableName: string;
  index: IndexName;
  partition: string;
  /** An optional FilterExpression with its values, applied to every item read. */
  filter?: { expression: string; values: Record<string, unknown> };
};

/** The exclusive start key of a GSI query at an item: its table key and its index key. */
export function indexKeyOf(item: Item, index: IndexName): PageKey {
  const names = ["pk", "sk", `${index}pk`, `${index}sk`];
  return Object.fromEntries(names.map((name) => [name, String(item[name])]));
}

/**
 * Reads up to `limit` items of one index partition in either direction from a position, and
 * says where the neighbouring pages start. It reads one item more than asked for, so the last
 * page never hands out a key to an empty page; with a filter, it reads on until enough items
 * pass it, the partition ends, or `maxRead` items were read.
 */
export async function queryTwoWayPage(
  doc: DynamoDBDocumentClient,
  query: Query,
  request: TwoWayPageRequest,
): Promise<TwoWayPage<Item>> {
  const position = request.position ?? null;
  const older = position === null || position.direction === "older";
  const wanted = request.limit + 1;
  const read: Item[] = [];
  const budget = query.filter ? (request.maxRead ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  let examined = 0;
  let startKey: Item | undefined = position?.key;
  do {
    const result = await queryRangePage(
      doc,
      { ...query, newestFirst: older },
      {
        // A filter drops items after Limit counts them, so read in larger steps then.
        limit: query.filter ? Math.min(Math.max(100, wanted - read.length), budget - examined) : wanted - read.length,
        startKey,
      },
    );
    read.push(...result.items);
    examined += result.scanned;
    startKey = result.lastKey;
  } while (read.length < wanted && startKey !== undefined && examined < budget);

  // Stopped by the read bound with the partition not done: a short page that continues there.
  if (read.length < wanted && startKey !== undefined) {
    // Towards newer items the way back is the first page, itself a bounded read.
    if (!older) return queryTwoWayPage(doc, query, { ...request, position: null });
    const first = read[0];
    return {
      items: read,
      olderKey: startKey as PageKey,
      newerKey: position === null ? null : first !== undefined ? indexKeyOf(first, query.index) : position.key,
    };
  }

  const more = read.length > request.limit;
  const items = read.slice(0, request.limit);
  if (older) {
    const last = items.at(-1);
    const first = items[0];
    return {
      items,
      olderKey: more && last !== undefined ? indexKeyOf(last, query.index) : null,
      // Back from a page past the first: to the items newer than its first (or its position).
      newerKey: position === null ? null : first !== undefined ? indexKeyOf(first, query.index) : position.key,
    };
  }
  // Going to newer items and reaching the newest: that is the first page, served whole, so that
  // paging back and forth lands on the same pages.
  if (!more) return queryTwoWayPage(doc, query, { ...request, position: null });
  items.reverse();
  const newest = items[0];
  const oldest = items.at(-1);
  return {
    items,
    olderKey: oldest === undefined ? null : indexKeyOf(oldest, query.index),
    newerKey: newest === undefined ? null : indexKeyOf(newest, query.index),
  };
}
