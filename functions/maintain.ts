import { errorMessage } from "@eventwire/core";
import { type MaintenanceSummary, maintainThemes } from "@eventwire/pipeline";
import type { SQSEvent } from "aws-lambda";
import { notifyDispatcher } from "./dispatch-queue";
import { pipelineLambdaDeps } from "./lambda-deps";
import { linkedDispatchQueueUrl } from "./linked";
import { type ScheduleEvent, scheduleEventFields } from "./schedule-event";

const { deps } = pipelineLambdaDeps();
const dispatchQueueUrl = linkedDispatchQueueUrl();

/** The themes the queue's messages name (the ingest worker asks for the themes whose passes are due); none: every theme. */
function namedThemes(event: SQSEvent): Set<string> {
  const named = new Set<string>();
  for (const record of event.Records) {
    try {
      const body = JSON.parse(record.body) as { themes?: unknown };
      if (Array.isArray(body.themes)) for (const id of body.themes) if (typeof id === "string") named.add(id);
    } catch {
      // A message that is not ours names no theme: every theme's pass runs.
    }
  }
  return named;
}

/**
 * Maintenance entry: the Maintain schedule (infra/maintain.ts, hourly) and the maintain queue
 * (the ingest worker's message once many articles were stored) run one pass over recent events
 * per theme: those the messages name, every theme for the schedule (or a message naming none).
 * A theme whose pass throws does not stop the others' (`maintainThemes`); the handler then throws,
 * leaving the queue message to be retried, then to the dead-letter queue; what a pass stored
 * stays, and the next pass finishes its moves. Two passes may overlap (a queue
 * message during a scheduled run): the later writer's decision meets the theme's changed
 * sequence, writes nothing, and it plans again on what the first stored.
 */
export async function handler(event: SQSEvent | ScheduleEvent): Promise<MaintenanceSummary[]> {
  if ("Records" in event) deps.log.info("maintenance triggered", { trigger: "queue", messages: event.Records.length });
  else deps.log.info("maintenance triggered", { trigger: "schedule", ...scheduleEventFields(event) });
  const named = "Records" in event ? namedThemes(event) : new Set<string>();
  const themes = deps.config.themes.filter((theme) => named.size === 0 || named.has(theme.id));
  const { summaries, failed } = await maintainThemes(
    deps,
    themes.map((theme) => theme.id),
  );
  const decisions = summaries.reduce((sum, summary) => sum + summary.decisions.length, 0);
  // Their decisions are in the outbox: the dispatcher sends event.merged / event.split now.
  if (decisions > 0 && dispatchQueueUrl !== undefined) {
    const at = summaries.at(-1)?.finishedAt ?? deps.now().toISOString();
    await notifyDispatcher(dispatchQueueUrl, deps.log, { maintained: decisions, at });
  }
  // The other themes had their pass; the message comes back for the ones that failed.
  if (failed.length > 0)
    throw new Error(`maintenance failed for ${failed.map((each) => `${each.themeId} (${errorMessage(each.error)})`).join(", ")}`);
  return summaries;
}
