import { errorMessage, isSourceDue } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "./deps";
import type { IngestSourceResult } from "./ingest-result";
import { ingestSource } from "./ingest-source";

export type IngestRunSummary = {
  startedAt: string;
  finishedAt: string;
  /** Sources known, and of those the ones that were due. */
  sourcesKnown: number;
  sourcesDue: number;
  succeeded: number;
  failed: number;
  /** Sources another run was already polling. */
  busy: number;
  notModified: number;
  stored: number;
  duplicates: number;
  /** Stored articles updated because the feed edited them. */
  updated: number;
  /** New articles left for the next poll, past a source's per-fetch cap. */
  deferred: number;
  results: IngestSourceResult[];
};

/** Adds up per-source results into a run summary. */
export function summarizeIngestRun(
  startedAt: Date,
  finishedAt: Date,
  sourcesKnown: number,
  results: IngestSourceResult[],
): IngestRunSummary {
  let succeeded = 0;
  let busy = 0;
  let notModified = 0;
  let stored = 0;
  let duplicates = 0;
  let updated = 0;
  let deferred = 0;
  for (const result of results) {
    if (!result.ok) continue;
    if (result.status === "busy") {
      busy += 1;
      continue;
    }
    succeeded += 1;
    if (result.status === "not-modified") notModified += 1;
    stored += result.stored;
    duplicates += result.duplicates;
    updated += result.updated;
    deferred += result.deferred;
  }
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    sourcesKnown,
    sourcesDue: results.length,
    succeeded,
    failed: results.length - succeeded - busy,
    busy,
    notModified,
    stored,
    duplicates,
    updated,
    deferred,
    results,
  };
}

export type IngestRunOptions = {
  /** Ingest every enabled source, due or not (a manual run). */
  all?: boolean;
};

/**
 * Ingests every due source, at most `config.ingestConcurrency` at a time. One source failing,
 * however it fails, never stops the others.
 */
export async function ingestDueSources(deps: PipelineDeps, options: IngestRunOptions = {}): Promise<IngestRunSummary> {
  const startedAt = deps.now();
  const sources = await deps.store.sources.list();
  const due = sources.filter((source) => (options.all ? source.enabled : isSourceDue(source, startedAt)));
  const limit = pLimit(deps.config.ingestConcurrency);
  const results = await Promise.all(
    due.map((source) =>
      limit(async (): Promise<IngestSourceResult> => {
        try {
          return await ingestSource(deps, source, { scheduledAt: startedAt });
        } catch (error) {
          // ingestSource records its own failures; what reaches here is the store failing the
          // claim, or a bug.
          const message = errorMessage(error);
          deps.log.error("ingest crashed on a source", { sourceId: source.id, error: message });
          return { ok: false, sourceId: source.id, url: source.url, error: "internal error (see the log)", retryable: true };
        }
      }),
    ),
  );
  const summary = summarizeIngestRun(startedAt, deps.now(), sources.length, results);
  // A tick with nothing due is the common case; it is not worth a line. One that found nothing
  // new is worth one at debug only: polling a quiet feed every few seconds is no news.
  if (summary.sourcesDue === 0) return summary;
  const changed = summary.stored + summary.updated + summary.failed > 0;
  deps.log[changed ? "info" : "debug"]("ingest run finished", {
    due: summary.sourcesDue,
    succeeded: summary.succeeded,
    failed: summary.failed,
    stored: summary.stored,
    ...(summary.updated > 0 ? { updated: summary.updated } : {}),
  });
  return summary;
}
