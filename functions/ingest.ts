import { type IngestRunSummary, ingestDueSources, seedSources } from "@eventwire/pipeline";
import type { EventBridgeEvent } from "aws-lambda";
import { sourceUrls } from "./config";
import { notifyDispatcher } from "./dispatch-queue";
import { pipelineLambdaDeps } from "./lambda-deps";
import { linkedDispatchQueueUrl } from "./linked";

const { deps, settings } = pipelineLambdaDeps();
const dispatchQueueUrl = linkedDispatchQueueUrl();

// Configured sources are added once per container; adding an existing one is a no-op.
let seeded: Promise<number> | undefined;

/** Scheduled entry (EventBridge, every few minutes): ingests the due sources. */
export async function handler(event: EventBridgeEvent<"Scheduled Event", unknown>): Promise<IngestRunSummary> {
  seeded ??= seedSources(deps, sourceUrls(settings)).catch((error: unknown) => {
    seeded = undefined;
    throw error;
  });
  await seeded;
  deps.log.info("ingest triggered", { eventId: event.id, scheduledAt: event.time });
  const summary = await ingestDueSources(deps);
  // New articles may mean webhook messages: the dispatcher runs now rather than on its next tick.
  if (summary.stored > 0 && dispatchQueueUrl !== undefined) {
    await notifyDispatcher(dispatchQueueUrl, deps.log, { stored: summary.stored, at: deps.now().toISOString() });
  }
  return summary;
}
