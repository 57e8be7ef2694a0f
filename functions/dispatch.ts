import { type DispatchSummary, dispatchDeliveries } from "@eventwire/pipeline";
import type { SQSEvent } from "aws-lambda";
import { pipelineLambdaDeps } from "./lambda-deps";
import { type ScheduleEvent, scheduleEventFields } from "./schedule-event";

const { deps } = pipelineLambdaDeps();

/**
 * Dispatcher entry: the Dispatch queue (a message after each ingest that stored articles) and
 * the dispatch schedule (infra/dispatch.ts) both run one pass over the outbox and the due
 * deliveries. A pass that throws leaves the queue message to be retried, then to the dead-letter
 * queue. Two passes may overlap (a queue batch during a scheduled run): each message is leased
 * before it is sent, so the overlap costs time, not duplicates (test/integration/dispatch-overlap.test.ts).
 */
export async function handler(event: SQSEvent | ScheduleEvent): Promise<DispatchSummary> {
  if ("Records" in event) deps.log.info("dispatch triggered", { trigger: "queue", messages: event.Records.length });
  else deps.log.info("dispatch triggered", { trigger: "schedule", ...scheduleEventFields(event) });
  return dispatchDeliveries(deps);
}
