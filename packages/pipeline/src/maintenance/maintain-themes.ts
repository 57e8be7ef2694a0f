import { errorMessage } from "@eventwire/core";
import { buildSearchIndex, type SearchIndexBuild } from "../build-search-index";
import type { PipelineDeps } from "../deps";
import { type MaintenanceSummary, maintainEvents } from "./maintain-events";

/**
 * What passes over several themes did: each theme's summary, the themes whose pass threw, and
 * the search index's build (null when it threw: the next pass builds it).
 */
export type ThemesMaintenance = {
  summaries: MaintenanceSummary[];
  failed: { themeId: string; error: unknown }[];
  searchIndex: SearchIndexBuild | null;
};

/**
 * One maintenance pass over each of these themes, one after another, then a build of the search
 * index (`buildSearchIndex`). A theme whose pass throws is
 * logged and named in `failed`, and the others still get theirs: one theme's trouble never holds
 * back another's corrections. What a failed pass stored stays; the next pass finishes it.
 */
export async function maintainThemes(deps: PipelineDeps, themeIds: readonly string[]): Promise<ThemesMaintenance> {
  const result: ThemesMaintenance = { summaries: [], failed: [], searchIndex: null };
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
  // The search index covers every theme's articles; its buckets close as time passes, so each
  // pass digests those closed since the last.
  try {
    result.searchIndex = await buildSearchIndex(deps);
    deps.log.info("search index built", { ...result.searchIndex });
  } catch (error) {
    deps.log.error("search index build failed", { error: errorMessage(error) });
  }
  return result;
}
