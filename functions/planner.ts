import type { MaintenancePlanner } from "@eventwire/core";

/**
 * The planner every deployed and local maintenance pass uses: the one place it is chosen
 * (functions/deps.ts puts it in the deps of every function, the CLI and the local stack).
 *
 * It is `planMaintenance` from @eventwire/core:
 *
 *   import { planMaintenance } from "@eventwire/core";
 *   export function productionPlanner(): MaintenancePlanner { return planMaintenance; }
 *
 * Until that planner is on this branch, this one decides nothing, so a pass only finishes the
 * moves of earlier decisions.
 */
export function productionPlanner(): MaintenancePlanner {
  return () => [];
}
