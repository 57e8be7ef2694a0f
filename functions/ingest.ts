import { type IngestRunSummary, ingestDueSources, seedSources } from "@eventwire/pipeline";
import type { EventBridgeEvent } from "aws-lambda";
import { sourceUrls } from "./config";
import { ingestLambdaDeps } from "./lambda-deps";

const { deps, settings } = ingestLambdaDeps();

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
  return ingestDueSources(deps);
}
