import { errorMessage } from "@eventwire/core";
import type { PipelineDeps } from "../deps";
import { type MaintenanceSummary, maintainEvents } from "./maintain-events";

/** What passes over several themes did: each theme's summary, and the themes whose pass threw. */
export type ThemesMaintenance = { summaries: MaintenanceSummary[]; failed: { themeId: string; error: unknown }[] };

/**
 * One maintenance pass over each of these themes, one after another. A theme whose pass throws is
 * logged and named in `failed`, and the others still get theirs: one theme's trouble never holds
 * back another's corrections. What a failed pass stored stays; the next pass finishes it.
 */
export async function maintainThemes(deps: PipelineDeps, themeIds: readonly string[]): Promise<ThemesMaintenance> {
  const result: ThemesMaintenance = { summaries: [], failed: [] };
  for (const themeId of themeIds) {
    try {
      const summary = await maintainEvents(deps, themeId);
      result.summaries.push(summary);
      deps.log.info("maintenance pass finished", {
        themeId,
        examined: summary.examined,
        decisions: summary.decisions.length,
        moved: summary.moved,
        resumed: summary.resumed,
      });
    } catch (error) {
      deps.log.error("maintenance pass failed", { themeId, error: errorMessage(error) });
      result.failed.push({ themeId, error });
    }
  }
  return result;
}
