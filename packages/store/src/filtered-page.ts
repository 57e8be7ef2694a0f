import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Item, type PageKey, toPageKey } from "./items";
import { queryRangePage } from "./range-query";
import type { IndexName } from "./table";
import { indexKeyOf } from "./two-way-page";

/** A sort-key range of an index partition, both ends inclusive; either may be open. */
export type SortRange = { from?: string | undefined; to?: string | undefined };

/**
 * A page of a filtered listing. `accept` is applied to every item read; reading stops at
 * `limit` accepted items or after `maxRead` items, whichever comes first, so one request's
 * cost is bounded however rare the matches. `nextKey` continues right after the last item
 * read, so following it returns every match exactly once.
 */
export type FilteredPageRequest<T> = {
  limit: number;
  after?: PageKey | null | undefined;
  maxRead: number;
  /** Null when every item is wanted (then nothing is read beyond the page). */
  accept: ((value: T) => boolean) | null;
};

export type FilteredPage<T> = { items: T[]; nextKey: PageKey | null; read: number };

type Query<T> = {
  tableName: string;
  index: IndexName;
  partition: string;
  range?: SortRange | undefined;
  /** Reads an item into the value `accept` judges and the page returns. */
  read: (item: Item) => T;
  /**
   * Reads a page of items at once instead (a value null: the item is not one of the listing's,
   * and is passed over); for values that need a further read, done for the page in one go.
   */
  readPage?: ((items: readonly Item[]) => Promise<(T | null)[]>) | undefined;
};

// With a filter, rare matches would otherwise cost one round trip each.
const FILTERED_STEP = 200;

/** Reads one index partition newest first, keeping the items `accept` takes (see `FilteredPageRequest`). */
export async function queryFilteredPage<T>(
  doc: DynamoDBDocumentClient,
  query: Query<T>,
  request: FilteredPageRequest<T>,
): Promise<FilteredPage<T>> {
  const items: T[] = [];
  let read = 0;
  let startKey: Item | undefined = request.after ?? undefined;
  for (;;) {
    // One more than needed when unfiltered, so a full last page hands out no key to an empty one.
    const step = request.accept === null ? request.limit - items.length + 1 : FILTERED_STEP;
    const result = await queryRangePage(
      doc,
      { tableName: query.tableName, index: query.index, partition: query.partition, range: query.range, newestFirst: true },
      { limit: Math.min(step, request.maxRead - read), startKey },
    );
    const page = result.items;
    const values = query.readPage === undefined ? page.map(query.read) : await query.readPage(page);
    for (const [position, item] of page.entries()) {
      read += 1;
      const value = values[position] ?? null;
      if (value !== null && (request.accept === null || request.accept(value))) items.push(value);
      if (items.length === request.limit) {
        const last = position === page.length - 1 && result.lastKey === undefined;
        return { items, nextKey: last ? null : indexKeyOf(item, query.index), read };
      }
    }
    startKey = result.lastKey;
    if (startKey === undefined) return { items, nextKey: null, read };
    if (read >= request.maxRead) return { items, nextKey: toPageKey(startKey), read };
  }
}
