import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Item } from "./items";

// BatchWriteItem takes at most 25 requests.
const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ROUNDS = 8;

type WriteRequest = { put: Item } | { delete: { pk: string; sk: string } };

/**
 * Puts and deletes, unconditionally, 25 a request, asking again, with back-off, for what
 * DynamoDB left unprocessed. For items no other writer's condition depends on.
 */
export async function batchWriteItems(doc: DynamoDBDocumentClient, tableName: string, writes: readonly WriteRequest[]) {
  for (let start = 0; start < writes.length; start += BATCH_WRITE_LIMIT) {
    let pending: BatchWriteCommandInput["RequestItems"] = {
      [tableName]: writes
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((write) => ("put" in write ? { PutRequest: { Item: write.put } } : { DeleteRequest: { Key: write.delete } })),
    };
    for (let round = 0; pending !== undefined && Object.keys(pending).length > 0; round += 1) {
      if (round >= BATCH_WRITE_ROUNDS) throw new Error(`DynamoDB left writes unprocessed after ${BATCH_WRITE_ROUNDS} attempts`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      const result: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems;
    }
  }
}
