import { type MaintenanceSummary, maintainEvents } from "@eventwire/pipeline";
import type { SQSEvent } from "aws-lambda";
import { notifyDispatcher } from "./dispatch-queue";
import { pipelineLambdaDeps } from "./lambda-deps";
import { linkedDispatchQueueUrl } from "./linked";
import { type ScheduleEvent, scheduleEventFields } from "./schedule-event";

const { deps } = pipelineLambdaDeps();
const dispatchQueueUrl = linkedDispatchQueueUrl();

/**
 * Maintenance entry: the Maintain schedule (infra/maintain.ts, hourly) and the maintain queue
 * (the ingest worker's message once many articles were stored) both run one pass over the
 * theme's recent events. A pass that throws leaves the queue message to be retried, then to the
 * dead-letter queue; what it stored stays, and the next pass finishes its moves. Two passes may
 * overlap (a queue message during a scheduled run): the later writer's decision meets the
 * theme's changed sequence, writes nothing, and it plans again on what the first stored.
 */
export async function handler(event: SQSEvent | ScheduleEvent): Promise<MaintenanceSummary> {
  if ("Records" in event) deps.log.info("maintenance triggered", { trigger: "queue", messages: event.Records.length });
  else deps.log.info("maintenance triggered", { trigger: "schedule", ...scheduleEventFields(event) });
  const summary = await maintainEvents(deps);
  deps.log.info("maintenance pass finished", {
    themeId: summary.themeId,
    examined: summary.examined,
    decisions: summary.decisions.length,
    moved: summary.moved,
    resumed: summary.resumed,
  });
  // Its decisions are in the outbox: the dispatcher sends event.merged / event.split now.
  if (summary.decisions.length > 0 && dispatchQueueUrl !== undefined) {
    await notifyDispatcher(dispatchQueueUrl, deps.log, { maintained: summary.decisions.length, at: summary.finishedAt });
  }
  return summary;
}
