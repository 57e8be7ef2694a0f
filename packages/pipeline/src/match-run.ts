import { type Article, type MatchExplanation, removePending } from "@eventwire/core";
import { createMatchCommitRoom } from "@eventwire/store";
import type { PipelineDeps } from "./deps";
import { resetCache, type ThemeMatcherCache } from "./matcher-cache";
import { refreshEvent, syncMatcherCache } from "./matcher-cache-sync";
import { type Decide, type Plan, planCommit } from "./plan-commit";

/** How many times a run decides again after meeting changes made elsewhere, before it gives up. */
const DECIDE_ATTEMPTS = 8;

export type MatchOutcome = { stored: "created" | "exists"; explanation: MatchExplanation | null };

/** What became of one article of a run. `rejected`: the store refuses its items for good (too large, say). */
export type MatchResult = MatchOutcome | { stored: "rejected"; explanation: null; error: Error };

/**
 * Matches `articles` in order and stores them, as many a transaction as fit. While one commit is
 * written, the next is decided on top of it, so deciding overlaps the write. A commit that
 * meets a change made elsewhere is taken back out of the cache (with any decided on top of it),
 * and its articles are decided again on fresh state; an article someone else stored meanwhile
 * is left out as existing. When the store refuses a commit's items, its articles are committed
 * one by one, so only the refused article is lost (and reported). Articles in `stored` are stored
 * already (another theme judged them first): the run stores the theme's memberships of them.
 */
export async function matchRun(
  deps: PipelineDeps,
  cache: ThemeMatcherCache,
  articles: readonly Article[],
  decide: Decide,
  lateClaims: boolean,
  stored: ReadonlySet<string> = new Set(),
): Promise<MatchResult[]> {
  const results = new Map<string, MatchResult>();
  // An id given twice is one article: the repeat is reported as existing.
  const firsts = new Map<string, Article>();
  for (const article of articles) if (!firsts.has(article.id)) firsts.set(article.id, article);
  let queue = [...firsts.values()];
  let attempt = 0;
  // After a refused commit, its articles go one a commit to find the one the store refuses.
  let singles = 0;
  const room = () => createMatchCommitRoom(singles > 0 ? 1 : undefined);
  let ahead: Plan | null = null;
  while (queue.length > 0) {
    let plan: Plan;
    if (ahead === null) {
      await syncMatcherCache(deps, cache);
      plan = planCommit(cache.matcher, cache.seq, queue, decide, lateClaims, room(), deps.now(), stored);
    } else {
      plan = ahead;
      ahead = null;
    }
    for (const id of plan.known) results.set(id, { stored: "exists", explanation: null });
    const settled = deps.store.events.commitMatches(plan.commit).then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    );
    // The request leaves before the next commit is decided on top of it, so the two overlap.
    await new Promise((resolve) => setImmediate(resolve));
    let planError: unknown = null;
    if (plan.rest.length > 0 && singles === 0) {
      try {
        ahead = planCommit(cache.matcher, plan.seqAfter, plan.rest, decide, lateClaims, room(), deps.now(), stored);
      } catch (error) {
        planError = error;
      }
    }
    const written = await settled;
    if ("error" in written) {
      // What was decided is taken out again, latest first. The commit may have been stored all
      // the same (an answer lost on the way back): the cache starts again from the table rather
      // than guess.
      ahead?.undo();
      plan.undo();
      resetCache(cache);
      throw written.error;
    }
    const { outcome } = written;
    if (outcome.kind === "committed") {
      cache.seq = outcome.seq;
      for (const { article } of plan.commit.articles)
        results.set(article.id, { stored: "created", explanation: article.explanation });
      queue = plan.rest;
      singles = Math.max(0, singles - plan.commit.articles.length);
      attempt = 0;
      if (planError !== null) throw planError;
      continue;
    }
    ahead?.undo();
    ahead = null;
    plan.undo();
    if (planError !== null) throw planError;
    if (outcome.kind === "refused") {
      if (plan.commit.articles.length > 1) {
        singles = plan.commit.articles.length;
        continue;
      }
      const refused = plan.commit.articles[0]?.article.id;
      if (refused !== undefined) results.set(refused, { stored: "rejected", explanation: null, error: outcome.error });
      queue = plan.rest;
      singles = Math.max(0, singles - 1);
      continue;
    }
    if (outcome.kind === "exists") {
      const existing = new Set(outcome.articleIds);
      for (const id of existing) results.set(id, { stored: "exists", explanation: null });
      queue = queue.filter((article) => !existing.has(article.id) && !plan.known.includes(article.id));
      continue;
    }
    queue = queue.filter((article) => !plan.known.includes(article.id));
    // Stale: the sequence moved (sync catches up), an event was older than stored, or a pooled
    // article was claimed elsewhere; fix what went stale and decide again.
    attempt += 1;
    if (attempt >= DECIDE_ATTEMPTS) {
      throw new Error(`matching article ${queue[0]?.id} kept meeting concurrent changes (${DECIDE_ATTEMPTS} attempts)`);
    }
    for (const eventId of outcome.events) await refreshEvent(deps, cache, eventId);
    removePending(cache.matcher, new Set(outcome.reconsidered));
    deps.log.info("match retried on fresher state", { articleId: queue[0]?.id, attempt, articles: plan.commit.articles.length });
  }
  const seen = new Set<string>();
  return articles.map((article): MatchResult => {
    if (seen.has(article.id)) return { stored: "exists", explanation: null };
    seen.add(article.id);
    return results.get(article.id) as MatchResult;
  });
}
