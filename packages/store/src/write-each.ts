import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Item } from "./items";
import { MAX_TRANSACTION_ITEMS, type TransactItem, transact } from "./transaction";

/**
 * Writes the items of many entries in as few transactions as DynamoDB allows (100 items, an
 * item once a transaction). An entry's first item is its conditional one: an entry whose
 * condition fails is reported false, and the transaction is sent again with the others and
 * only what `items(entry, true)` still gives for it. A transaction that collided with another
 * writer's is sent again by `transact`, the store's one back-off loop.
 */
export async function writeEach<T>(
  doc: DynamoDBDocumentClient,
  entries: readonly T[],
  items: (entry: T, lost: boolean) => TransactItem[],
): Promise<boolean[]> {
  const lost = new Set<number>();
  const keyOf = (item: TransactItem) => {
    const key = (item.Update?.Key ?? item.Put?.Item) as Item;
    return `${key.pk}|${key.sk}`;
  };
  // Chunks of entries whose items fit one transaction and name no item twice.
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let size = 0;
  let names = new Set<string>();
  entries.forEach((entry, index) => {
    const built = items(entry, false);
    if (chunk.length > 0 && (size + built.length > MAX_TRANSACTION_ITEMS || built.some((item) => names.has(keyOf(item))))) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
      names = new Set();
    }
    chunk.push(index);
    size += built.length;
    for (const item of built) names.add(keyOf(item));
  });
  if (chunk.length > 0) chunks.push(chunk);

  for (const indices of chunks) {
    for (;;) {
      const parts = indices
        .map((index) => ({ index, built: items(entries[index] as T, lost.has(index)) }))
        .filter((part) => part.built.length > 0);
      // Conflicts with other writers and throttling are waited out inside `transact`.
      const codes = await transact(
        doc,
        parts.flatMap((part) => part.built),
      );
      if (codes === null) break;
      let offset = 0;
      let failed = false;
      for (const part of parts) {
        if (!lost.has(part.index) && codes[offset] === "ConditionalCheckFailed") {
          lost.add(part.index);
          failed = true;
        }
        offset += part.built.length;
      }
      if (!failed)
        throw new Error(
          `a transaction of ${parts.length} writes (${keyOf(parts[0]?.built[0] as TransactItem)} first) failed a condition that is not an entry's first item`,
        );
    }
  }
  return entries.map((_, index) => !lost.has(index));
}
