import { type Article, byPublication, errorMessage, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { matchArticles } from "./match-article";
import type { MatchResult } from "./match-run";

/** What the store already holds of an article: its own theme and the themes of its memberships. */
type StoredJudgements = { theme: string; memberships: readonly string[] };

/** What judging a fetch's articles by every theme did. */
type JudgedArticles = {
  /** New articles stored (once each, however many themes judged them). */
  stored: number;
  /** New articles the store refused. */
  skipped: number;
  /** New articles another writer stored first. */
  lost: number;
  /** The themes whose memberships this judging added, by article. */
  added: Map<string, string[]>;
};

/** Whether a theme has judged a stored article. */
export function judgedBy(stored: StoredJudgements, themeId: string): boolean {
  return stored.theme === themeId || stored.memberships.includes(themeId);
}

/**
 * Judges a fetch's articles by each theme in the config's order (`matchArticles`, one run a
 * theme): the first theme's commits store the new articles with its judgement; each further
 * theme's store its memberships of those the store holds (a new article the store refused is
 * left out). `earlier` are articles stored before, each as stored, that some theme has not judged
 * yet (a run that died between two themes' commits, or a theme added since): each theme that has
 * not judged one judges it now, as a membership. No theme judges an article twice (a membership
 * is stored only if absent), so a run that dies between two themes' commits is finished by the
 * next poll, which finds the article stored and that theme's judgement missing.
 */
export async function judgeByThemes(
  deps: PipelineDeps,
  source: Source,
  fresh: readonly Article[],
  earlier: readonly Article[],
  storedJudgements: ReadonlyMap<string, StoredJudgements>,
): Promise<JudgedArticles> {
  const result: JudgedArticles = { stored: 0, skipped: 0, lost: 0, added: new Map() };
  // The new articles: all of them for the first theme, then those the store holds once its run is over.
  let held: readonly Article[] = fresh;
  for (const [position, theme] of deps.config.themes.entries()) {
    const waiting = earlier.filter((article) => {
      const stored = storedJudgements.get(article.id);
      return stored !== undefined && !judgedBy(stored, theme.id);
    });
    const run = [...held, ...waiting].sort(byPublication).map((article) => ({ ...article, theme: theme.id }));
    if (run.length === 0) continue;
    const members = new Set([...waiting.map((article) => article.id), ...(position === 0 ? [] : held.map((a) => a.id))]);
    const results = await matchArticles(deps, run, { themeId: theme.id, stored: members });
    const rejected = new Set<string>();
    for (const [index, outcome] of results.entries()) {
      const articleId = (run[index] as Article).id;
      if (outcome.stored === "rejected") rejected.add(articleId);
      if (position === 0 && !members.has(articleId)) count(result, outcome);
      if (outcome.stored === "rejected") {
        deps.log.warn("article refused by the store", {
          sourceId: source.id,
          articleId,
          themeId: theme.id,
          error: errorMessage(outcome.error),
        });
      } else if (outcome.stored === "created" && members.has(articleId)) {
        result.added.set(articleId, [...(result.added.get(articleId) ?? []), theme.id]);
      }
    }
    if (position === 0) held = fresh.filter((article) => !rejected.has(article.id));
  }
  return result;
}

function count(result: JudgedArticles, outcome: MatchResult): void {
  if (outcome.stored === "rejected") result.skipped += 1;
  else if (outcome.stored === "created") result.stored += 1;
  else result.lost += 1;
}
