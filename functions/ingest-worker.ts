import { errorMessage } from "@eventwire/core";
import { ingestQueuedSource } from "@eventwire/pipeline";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { notifyDispatcher } from "./dispatch-queue";
import { readIngestJob } from "./ingest-queue";
import { pipelineLambdaDeps } from "./lambda-deps";
import { linkedDispatchQueueUrl } from "./linked";

const { deps } = pipelineLambdaDeps();
const dispatchQueueUrl = linkedDispatchQueueUrl();

/**
 * Queue worker: ingests the source each message names. A feed that fails is recorded on its
 * source and the message is done (the schedule polls it again after its back-off); only a
 * failure to reach the store returns the message to the queue, which retries it and then keeps
 * it in the dead-letter queue. New articles may mean webhook messages, so the dispatcher is
 * asked to run at once.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
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
  if (stored > 0 && dispatchQueueUrl !== undefined) {
    await notifyDispatcher(dispatchQueueUrl, deps.log, { stored, at: deps.now().toISOString() });
  }
  return { batchItemFailures };
}
