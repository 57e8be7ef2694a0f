import { BatchGetCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from "@aws-sdk/lib-dynamodb";

export type Item = Record<string, NativeAttributeValue>;

/** The last key of a page, handed back to continue after it. */
export type PageKey = Record<string, string>;

export type Page<T> = { items: T[]; nextKey: PageKey | null };

declare const pageMark: unique symbol;

/**
 * Where a page of a listing ended, handed back to read the next one: opaque outside the store,
 * which alone knows it is a table key.
 */
export type PageMark = { readonly [pageMark]: "PageMark" };

/** The page mark of a DynamoDB LastEvaluatedKey (null at the end). */
export function toPageMark(key: Item | undefined): PageMark | null {
  return toPageKey(key) as PageMark | null;
}

/** The table key a page mark stands for. */
export function fromPageMark(mark: PageMark): PageKey {
  return mark as unknown as PageKey;
}

/** Copies the named fields of an item, leaving keys and bookkeeping attributes behind. */
export function pickFields<T>(item: Item, fields: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = item[field];
    out[field] = value === undefined ? null : value;
  }
  return out as T;
}

/** Narrows a DynamoDB LastEvaluatedKey to the string-only keys this table uses. */
export function toPageKey(key: Item | undefined): PageKey | null {
  if (key === undefined) return null;
  const out: PageKey = {};
  for (const [name, value] of Object.entries(key)) {
    if (typeof value !== "string") throw new Error(`unexpected non-string key attribute ${name}`);
    out[name] = value;
  }
  return out;
}

/** True for the SDK error a failed ConditionExpression raises. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

// BatchGetItem takes at most 100 keys; a few requests go out at once.
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 8;
const BATCH_GET_CONCURRENCY = 4;

/**
 * Every item of these keys that exists, in no particular order: 100 keys a request, up to four
 * requests at once, asking again, with back-off, for the keys DynamoDB left unprocessed.
 */
export async function batchGetItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, string>[],
  options: { projection?: string; consistent?: boolean } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) chunks.push(keys.slice(start, start + BATCH_GET_LIMIT));
  async function read(chunk: Record<string, unknown>[]): Promise<void> {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= BATCH_GET_ROUNDS) {
        throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${BATCH_GET_ROUNDS} attempts`);
      }
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              ...(options.consistent ? { ConsistentRead: true } : {}),
            },
          },
        }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next] as Record<string, unknown>[];
      next += 1;
      await read(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_GET_CONCURRENCY, chunks.length) }, worker));
  return found;
}
