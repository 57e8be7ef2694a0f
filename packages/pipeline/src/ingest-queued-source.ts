import { isSourceDue } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import type { IngestSourceResult } from "./ingest-result";
import { ingestSource } from "./ingest-source";

/** One message of the ingest queue: poll this source, as due at `scheduledAt`. */
export type IngestJob = {
  sourceId: string;
  scheduledAt: string;
  /** Seconds the queue holds the message back, so a tick's polls do not all start at once. */
  delaySeconds: number;
};

/** SQS holds a message back for at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

/**
 * The due sources as queue messages, one per source, their starts spread at random over
 * `spreadSeconds` (at most 900) so a schedule tick does not send every poll at once.
 */
export async function planDueSources(
  deps: Pick<PipelineDeps, "store" | "now" | "random">,
  spreadSeconds: number,
): Promise<IngestJob[]> {
  const now = deps.now();
  const spread = Math.min(Math.max(Math.floor(spreadSeconds), 0), MAX_DELAY_SECONDS);
  const sources = await deps.store.sources.list();
  return sources
    .filter((source) => isSourceDue(source, now))
    .map((source) => ({
      sourceId: source.id,
      scheduledAt: now.toISOString(),
      delaySeconds: Math.floor(deps.random() * (spread + 1)),
    }));
}

export type QueuedIngestResult = IngestSourceResult | { ok: true; sourceId: string; status: "gone" | "not-due" };

/**
 * Ingests the source of one queue message. A message delivered twice, or after the source was
 * polled another way, finds the source no longer due and leaves it alone; a removed or
 * disabled source is a no-op. Throws only when the store cannot be read, so the queue retries
 * the message (and, past its retries, keeps it in the dead-letter queue).
 */
export async function ingestQueuedSource(
  deps: PipelineDeps,
  job: Pick<IngestJob, "sourceId" | "scheduledAt">,
): Promise<QueuedIngestResult> {
  const source = await deps.store.sources.get(job.sourceId);
  if (source === null || !source.enabled) return { ok: true, sourceId: job.sourceId, status: "gone" };
  if (!isSourceDue(source, deps.now())) return { ok: true, sourceId: job.sourceId, status: "not-due" };
  const scheduledAt = new Date(job.scheduledAt);
  return ingestSource(deps, source, { scheduledAt: Number.isNaN(scheduledAt.getTime()) ? undefined : scheduledAt });
}
