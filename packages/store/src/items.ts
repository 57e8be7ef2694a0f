import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";

export type Item = Record<string, NativeAttributeValue>;

/** One item of a transaction. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The last key of a page, handed back to continue after it. */
export type PageKey = Record<string, string>;

export type Page<T> = { items: T[]; nextKey: PageKey | null };

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

/** The per-item reason codes of a cancelled transaction, or null for any other error. */
export function cancellationCodes(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return null;
  return ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((reason) => reason.Code);
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

/** DynamoDB's bound on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Why a cancelled transaction may be sent again: a conflicting writer, or throttling. */
export const RETRIED_CANCELLATIONS: ReadonlySet<string> = new Set([
  "TransactionConflict",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
]);

/** Attempts of a conditional transaction, with full-jitter exponential back-off from 50 ms up to 2 s between them. */
const TRANSACTION_ATTEMPTS = 6;
const TRANSACTION_BACKOFF_BASE_MS = 50;
const TRANSACTION_BACKOFF_CAP_MS = 2_000;

/**
 * Sends a transaction of `entries` (each holding its `item`), all or nothing: null once written,
 * or the per-item reason codes when a condition failed (nothing was written). A conflict with
 * another writer, or throttling inside the transaction (which the SDK does not retry), wrote
 * nothing either: it is sent again after a wait, a few times.
 */
export async function transactWithRetries(
  doc: DynamoDBDocumentClient,
  entries: readonly { item: TransactItem }[],
): Promise<(string | undefined)[] | null> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (entries.length > 0) await doc.send(new TransactWriteCommand({ TransactItems: entries.map((entry) => entry.item) }));
      return null;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === null) throw error;
      if (codes.some((code) => code === "ConditionalCheckFailed")) return codes;
      if (codes.some((code) => code !== undefined && RETRIED_CANCELLATIONS.has(code)) && attempt < TRANSACTION_ATTEMPTS) {
        const backOff = Math.min(TRANSACTION_BACKOFF_CAP_MS, TRANSACTION_BACKOFF_BASE_MS * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * backOff));
        continue;
      }
      throw error;
    }
  }
}
