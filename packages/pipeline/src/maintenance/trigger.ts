import { MAINTENANCE_LIMITS } from "@eventwire/core";
import type { PipelineDeps } from "../deps";

/**
 * Counts articles ingest stored for the theme and says whether that calls for a maintenance
 * pass: every `MAINTENANCE_LIMITS.afterStored` of them, counted in the table, so the workers
 * that ingest one source each add up to one count, and of many adding at once exactly one is
 * told. Used where there is no run to count by (the deployed ingest worker); a local ingest run
 * is followed by a pass when it alone stored that many.
 */
export function maintenanceDueAfter(deps: PipelineDeps, stored: number): Promise<boolean> {
  return deps.store.events.countStored(deps.config.theme.id, stored, MAINTENANCE_LIMITS.afterStored);
}
