import { SQSClient } from "@aws-sdk/client-sqs";
import { type IngestRunSummary, ingestDueSources, planDueSources, seedSources } from "@eventwire/pipeline";
import { afterStoringFor } from "./after-storing";
import { sourceUrls } from "./config";
import { sendIngestJobs } from "./ingest-queue";
import { pipelineLambdaDeps } from "./lambda-deps";
import { linkedIngestQueueUrl } from "./linked";
import { type ScheduleEvent, scheduleEventFields } from "./schedule-event";

const { deps, settings } = pipelineLambdaDeps();
const queueUrl = linkedIngestQueueUrl();
// When it ingests itself: stored articles wake the dispatcher (see after-storing.ts).
const afterStoring = afterStoringFor(deps);
const sqs = queueUrl === undefined ? undefined : new SQSClient({ region: settings.AWS_REGION });

// Configured sources are added once per container; adding an existing one is a no-op. A sources
// file (EVENTWIRE_SOURCES_FILE) is shipped beside the bundle: relative to the function's folder.
let seeded: Promise<unknown> | undefined;
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();

export type EnqueueSummary = { enqueued: number; scheduledAt: string };

/**
 * Scheduled entry (EventBridge Scheduler, every few minutes; infra/cron.ts). Linked to the ingest
 * queue (as deployed), it sends one message per due source, their starts spread over
 * EVENTWIRE_INGEST_SPREAD_SECONDS, and the worker ingests each; without a queue it ingests the
 * due sources itself.
 */
export async function handler(event: ScheduleEvent): Promise<IngestRunSummary | EnqueueSummary> {
  // Seeding that fails (a bad line in the sources file, the table unreachable) is logged and
  // tried again next tick; the sources already stored are polled meanwhile all the same.
  seeded ??= Promise.resolve()
    .then(() => seedSources(deps, sourceUrls(settings, taskRoot)))
    .catch((error: unknown) => {
      seeded = undefined;
      deps.log.error("configured sources not seeded", { error: error instanceof Error ? error.message : String(error) });
    });
  await seeded;
  deps.log.info("ingest triggered", scheduleEventFields(event));
  if (queueUrl === undefined || sqs === undefined) {
    // No queue linked: ingest every due source here.
    const summary = await ingestDueSources(deps);
    await afterStoring(summary.stored);
    return summary;
  }
  const jobs = await planDueSources(deps, settings.EVENTWIRE_INGEST_SPREAD_SECONDS);
  await sendIngestJobs(sqs, queueUrl, jobs);
  if (jobs.length > 0) deps.log.info("ingest jobs enqueued", { count: jobs.length });
  return { enqueued: jobs.length, scheduledAt: deps.now().toISOString() };
}
