import { type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";

/** One item of a transaction. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** DynamoDB's bound on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Why a cancelled transaction may be sent again: a conflicting writer, or throttling. */
const RETRIED_CANCELLATIONS: ReadonlySet<string> = new Set([
  "TransactionConflict",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
]);

/** Sends of one transaction at most, with full-jitter exponential back-off from 20 ms up to 2 s between them. */
const TRANSACTION_ATTEMPTS = 8;
const TRANSACTION_BACKOFF_BASE_MS = 20;
const TRANSACTION_BACKOFF_CAP_MS = 2_000;

/** The per-item reason codes of a cancelled transaction, or null for any other error. */
export function cancellationCodes(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return null;
  return ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((reason) => reason.Code);
}

/**
 * Sends a transaction of `items`, all or nothing: null once written, or the per-item reason
 * codes when a condition failed (nothing was written). The store's one back-off loop: a
 * transaction cancelled only by a conflicting writer or by throttling (which the SDK does not
 * retry inside a transaction) wrote nothing either, and is sent again after a wait, a few times;
 * any other refusal is thrown.
 */
export async function transact(
  doc: DynamoDBDocumentClient,
  items: readonly TransactItem[],
): Promise<(string | undefined)[] | null> {
  if (items.length === 0) return null;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [...items] }));
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
