import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { IngestJob } from "@eventwire/pipeline";

// SendMessageBatch takes at most ten messages.
const BATCH = 10;

/** Sends one message per job to the ingest queue; throws naming the sources SQS refused. */
export async function sendIngestJobs(client: SQSClient, queueUrl: string, jobs: readonly IngestJob[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += BATCH) {
    const slice = jobs.slice(start, start + BATCH);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: slice.map((job, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify({ sourceId: job.sourceId, scheduledAt: job.scheduledAt }),
          DelaySeconds: job.delaySeconds,
        })),
      }),
    );
    const failed = (result.Failed ?? []).map(
      (entry) => `${slice[Number(entry.Id)]?.sourceId ?? entry.Id}: ${entry.Message ?? entry.Code}`,
    );
    if (failed.length > 0) throw new Error(`the ingest queue refused ${failed.length} messages (${failed.join("; ")})`);
  }
}

/** The job a queue message carries, or null when its body is not one. */
export function readIngestJob(body: string): { sourceId: string; scheduledAt: string } | null {
  try {
    const value = JSON.parse(body) as unknown;
    if (value === null || typeof value !== "object") return null;
    const { sourceId, scheduledAt } = value as Record<string, unknown>;
    if (typeof sourceId !== "string" || sourceId === "" || typeof scheduledAt !== "string") return null;
    return { sourceId, scheduledAt };
  } catch {
    return null;
  }
}
