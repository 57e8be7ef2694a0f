import type { PipelineDeps } from "./deps";
import type { IngestSourceResult } from "./ingest-result";
import { ingestSource } from "./ingest-source";

/**
 * Fetches one source now, due or not (an operator's refresh). Null when no source has the id;
 * otherwise what `ingestSource` did, failures included as values.
 */
export async function refreshSource(deps: PipelineDeps, sourceId: string): Promise<IngestSourceResult | null> {
  const source = await deps.store.sources.get(sourceId);
  if (source === null) return null;
  return ingestSource(deps, source);
}
