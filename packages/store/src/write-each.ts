import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { cancellationCodes, type Item, MAX_TRANSACTION_ITEMS, RETRIED_CANCELLATIONS, type TransactItem } from "./items";

/** Rounds of a claim or finish transaction that collided with other writers before giving up. */
const COLLISION_ROUNDS = 8;

export type { TransactItem };

/**
 * Writes the items of many entries in as few transactions as DynamoDB allows (100 items, an
 * item once a transaction). An entry's first item is its conditional one: an entry whose
 * condition fails is reported false, and the transaction is sent again with the others and
 * only what `items(entry, true)` still gives for it. A transaction that collided with another
 * writer's is sent again, after a short wait, a few times at most.
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
    for (let round = 0; ; round += 1) {
      const parts = indices
        .map((index) => ({ index, built: items(entries[index] as T, lost.has(index)) }))
        .filter((part) => part.built.length > 0);
      if (parts.length === 0) break;
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: parts.flatMap((part) => part.built) }));
        break;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes === null) throw error;
        let offset = 0;
        let failed = false;
        for (const part of parts) {
          if (!lost.has(part.index) && codes[offset] === "ConditionalCheckFailed") {
            lost.add(part.index);
            failed = true;
          }
          offset += part.built.length;
        }
        if (failed) continue;
        // Only a conflicting writer or throttling is worth another round; anything else (an
        // item DynamoDB refuses) would fail the same way again.
        const refused = codes.find(
          (code) =>
            code !== undefined && code !== "None" && code !== "ConditionalCheckFailed" && !RETRIED_CANCELLATIONS.has(code),
        );
        if (refused !== undefined) throw error;
        if (round + 1 >= COLLISION_ROUNDS)
          throw new Error(
            `a transaction of ${parts.length} writes (${keyOf(parts[0]?.built[0] as TransactItem)} first) kept colliding with other writers: ${codes.join(", ")}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** round * (0.5 + Math.random())));
      }
    }
  }
  return entries.map((_, index) => !lost.has(index));
}
