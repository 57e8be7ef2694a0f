import { type Article, byPublication, eventIdFor, importExplanation } from "@eventwire/core";
import { firstTheme, type PipelineDeps } from "./deps";
import { type MatchResult, matchRun } from "./match-run";
import { serialised } from "./matcher-cache-sync";

export type ImportSummary = { events: number; imported: number; existing: number };

/**
 * Imports labelled articles as existing events of the first theme: each group (one gold event) becomes one event,
 * its articles in publication order, without the matcher's decision. Stored the same way as
 * matched articles, so a deployment starts from the stories it already knows. Importing the same
 * articles again changes nothing.
 */
export async function importEvents(deps: PipelineDeps, groups: readonly (readonly Article[])[]): Promise<ImportSummary> {
  const summary: ImportSummary = { events: 0, imported: 0, existing: 0 };
  // Imported events are the first theme's.
  const themeId = firstTheme(deps).id;
  for (const group of groups) {
    const ordered = [...group].sort(byPublication);
    let eventId: string | null = null;
    for (const article of ordered) {
      // The event's id comes from its first article, so a re-run finds the same event.
      const into: string | null = eventId;
      // An import places articles as labelled, one at a time (each joins the event the first
      // opened); it claims no pooled ones.
      const [outcome]: MatchResult[] = await serialised(
        deps,
        themeId,
        (cache): Promise<MatchResult[]> =>
          matchRun(deps, cache, [article], (matcher, prepared) => importExplanation(matcher, prepared, into), false),
      );
      if (outcome === undefined || outcome.stored === "rejected") throw outcome?.error ?? new Error("no import outcome");
      eventId ??= outcome.explanation?.eventId ?? eventIdFor(themeId, article.id);
      if (outcome.stored === "created") summary.imported += 1;
      else summary.existing += 1;
    }
    summary.events += 1;
  }
  return summary;
}
