import { type MaintenancePlanner, planMaintenance } from "@eventwire/core";

/**
 * The planner every deployed and local maintenance pass uses: the one place it is chosen
 * (functions/deps.ts puts it in the deps of every function, the CLI and the local stack). It is
 * core's `planMaintenance`, the same the evaluation runs in stream time (docs/matching.md,
 * "Events that correct themselves").
 */
export function productionPlanner(): MaintenancePlanner {
  return planMaintenance;
}
