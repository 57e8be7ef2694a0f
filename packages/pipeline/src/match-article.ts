import { type Article, decideMatch } from "@eventwire/core";
import { firstTheme, type PipelineDeps } from "./deps";
import { type MatchOutcome, type MatchResult, matchRun } from "./match-run";
import { serialised } from "./matcher-cache-sync";

/**
 * Judges one new article against the first theme and stores it with the decision: off-theme, a copy,
 * attached to an event, or the first article of a new one. The article, the event change and
 * any older articles the event now claims are written together, conditional on the theme's
 * change sequence, so two processes matching at once cannot fork a story or lose an update.
 * Throws when DynamoDB refuses the article's items.
 */
export async function matchArticle(deps: PipelineDeps, article: Article): Promise<MatchOutcome> {
  const [result] = await matchArticles(deps, [article]);
  if (result === undefined) throw new Error(`no outcome for article ${article.id}`);
  if (result.stored === "rejected") throw result.error;
  return result;
}

/** Which theme a run judges for (the first when absent), and which of its articles are stored already. */
type MatchOptions = {
  themeId?: string | undefined;
  /** Ids of articles another theme judged first: the run stores this theme's memberships of them. */
  stored?: ReadonlySet<string> | undefined;
};

/**
 * `matchArticle` for many articles, in the order given (publication order, for the matcher):
 * the same decisions as one at a time, stored up to 25 a transaction, so a feed's new items cost
 * a few round trips instead of one or more each. One outcome per article, in the same order.
 */
export function matchArticles(
  deps: PipelineDeps,
  articles: readonly Article[],
  options: MatchOptions = {},
): Promise<MatchResult[]> {
  const themeId = options.themeId ?? firstTheme(deps).id;
  return serialised(deps, themeId, (cache) => matchRun(deps, cache, articles, decideMatch, true, options.stored));
}
