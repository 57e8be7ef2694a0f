import { MAINTENANCE_LIMITS } from "@eventwire/core";
import type { PipelineDeps } from "../deps";

/**
 * Counts articles ingest stored towards each theme's maintenance pass and says which themes that
 * calls for one: every `MAINTENANCE_LIMITS.afterStored` of them, counted in the table per theme
 * (each theme judges every new article), so the workers that ingest one source each add up to
 * one count, and of many adding at once exactly one is told. Used where there is no run to count
 * by (the deployed ingest worker); a local ingest run is followed by a pass when it alone stored
 * that many.
 */
export async function maintenanceDueAfter(deps: PipelineDeps, stored: number): Promise<string[]> {
  const due: string[] = [];
  for (const theme of deps.config.themes) {
    if (await deps.store.events.countStored(theme.id, stored, MAINTENANCE_LIMITS.afterStored)) due.push(theme.id);
  }
  return due;
}
