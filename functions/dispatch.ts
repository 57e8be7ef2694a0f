import { type DispatchSummary, dispatchDeliveries } from "@eventwire/pipeline";
import type { EventBridgeEvent, SQSEvent } from "aws-lambda";
import { pipelineLambdaDeps } from "./lambda-deps";

const { deps } = pipelineLambdaDeps();

/**
 * Dispatcher entry: the Dispatch queue (a message after each ingest that stored articles) and
 * the dispatch schedule both run one pass over the outbox and the due deliveries. A pass that
 * throws leaves the queue message to be retried, then to the dead-letter queue.
 */
export async function handler(event: SQSEvent | EventBridgeEvent<"Scheduled Event", unknown>): Promise<DispatchSummary> {
  const trigger = "Records" in event ? `queue (${event.Records.length} messages)` : "schedule";
  deps.log.info("dispatch triggered", { trigger });
  return dispatchDeliveries(deps);
}
