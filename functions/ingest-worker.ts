import { errorMessage } from "@eventwire/core";
import {
  type IngestRunSummary,
  type IngestSourceResult,
  ingestDueSources,
  ingestQueuedSource,
  refreshSource,
} from "@eventwire/pipeline";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterStoringFor } from "./after-storing";
import { readIngestJob } from "./ingest-queue";
import { type IngestRequest, isQueueBatch, readIngestRequest } from "./ingest-request";
import { pipelineLambdaDeps } from "./lambda-deps";

const { deps } = pipelineLambdaDeps();
// Stored articles wake the dispatcher and count towards a maintenance pass.
const afterStoring = afterStoringFor(deps);

/**
 * Queue batches: ingests the source each message names. A feed that fails is recorded on its
 * source and the message is done (the schedule polls it again after its back-off); only a
 * failure to reach the store returns the message to the queue, which retries it and then keeps
 * it in the dead-letter queue.
 */
async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  let stored = 0;
  for (const record of event.Records) {
    const job = readIngestJob(record.body);
    if (job === null) {
      // Retrying cannot fix a body that is not a job; the log keeps it.
      deps.log.error("ingest message is not a job", { messageId: record.messageId, body: record.body.slice(0, 500) });
      continue;
    }
    try {
      const result = await ingestQueuedSource(deps, job);
      if ("stored" in result) stored += result.stored;
      deps.log.info("ingest message done", { messageId: record.messageId, sourceId: job.sourceId, ok: result.ok });
    } catch (error) {
      deps.log.error("ingest message failed", {
        messageId: record.messageId,
        sourceId: job.sourceId,
        error: errorMessage(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  await afterStoring(stored);
  return { batchItemFailures };
}

/** A direct invocation (the API's admin routes): runs the use case and answers with its result. */
async function handleRequest(request: IngestRequest): Promise<IngestRunSummary | IngestSourceResult | null> {
  deps.log.info("ingest requested", { ...request });
  if (request.eventwire === "ingest-run") {
    const summary = await ingestDueSources(deps);
    await afterStoring(summary.stored);
    return summary;
  }
  const result = await refreshSource(deps, request.sourceId);
  await afterStoring(result?.ok ? result.stored : 0);
  return result;
}

/**
 * The ingest worker. Its queue's batches (one due source per message), and synchronous direct
 * invocations from the API function: `{"eventwire":"ingest-run"}` answers with the run's
 * summary, `{"eventwire":"ingest-refresh","sourceId":"…"}` with that source's result (null when
 * there is none). Any other event is refused with an error naming the shapes it takes.
 */
export function handler(event: SQSEvent): Promise<SQSBatchResponse>;
export function handler(event: IngestRequest & { eventwire: "ingest-run" }): Promise<IngestRunSummary>;
export function handler(event: IngestRequest & { eventwire: "ingest-refresh" }): Promise<IngestSourceResult | null>;
export function handler(event: unknown): Promise<SQSBatchResponse | IngestRunSummary | IngestSourceResult | null>;
export async function handler(event: unknown): Promise<SQSBatchResponse | IngestRunSummary | IngestSourceResult | null> {
  if (isQueueBatch(event)) return handleBatch(event as SQSEvent);
  return handleRequest(readIngestRequest(event));
}
