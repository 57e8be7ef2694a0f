import {
  type Article,
  type ArticleSummary,
  addPending,
  createThemeMatcher,
  decideMatch,
  type EventState,
  eventIdFor,
  importExplanation,
  type MatchExplanation,
  type Matcher,
  type MatchInput,
  nextEventState,
  PENDING_LIMITS,
  type PreparedArticle,
  prepareArticle,
  preparePending,
  reconsiderPending,
  removePending,
} from "@eventwire/core";
import {
  type CommitMatchesInput,
  MAX_RECONSIDERED_PER_COMMIT,
  MAX_TRANSACTION_ITEMS,
  type MatchChange,
  type MatchedArticle,
  type ReconsideredArticle,
} from "@eventwire/store";
import type { PipelineDeps } from "./deps";

/**
 * A theme's matcher as this process holds it: a cache of the table's events, current up to
 * `seq`, the theme's change sequence. Everything in it can be rebuilt from the table, so a cold
 * start just loads it again.
 */
export type ThemeMatcherCache = {
  matcher: Matcher;
  seq: number;
  loaded: boolean;
  /** Matching for a theme runs one run of articles at a time in a process. */
  queue: Promise<unknown>;
};

/** The caches of this process, by theme. */
export type MatcherRegistry = Map<string, ThemeMatcherCache>;

export function createMatcherRegistry(): MatcherRegistry {
  return new Map();
}

/** How many recently changed events a cold start loads (the candidates come from these). */
export const WORKING_SET_EVENTS = 5000;
const DECIDE_ATTEMPTS = 8;

export type MatchOutcome = { stored: "created" | "exists"; explanation: MatchExplanation | null };

/** What the matcher reads of a stored article (the full text, else the summary). */
export function toMatchInput(article: Article | ArticleSummary): MatchInput {
  const text = "text" in article && article.text !== "" ? article.text : article.summary;
  return {
    id: article.id,
    sourceId: article.sourceId,
    title: article.title,
    text,
    summary: article.summary,
    publishedAt: article.publishedAt,
    dated: !article.dateInferred,
    contentHash: article.contentHash,
    outlet: article.sourceTitle,
    author: article.author,
  };
}

/** How many of the latest changes a cold start reads to find its working set of events. */
const COLD_START_CHANGES = 20_000;

/**
 * Brings the cache up to date from the theme's change log, read with strong consistency: on
 * first use the events behind the latest changes, then every change after the cache's
 * sequence. A commit made after this read fails its sequence condition, and the decision is
 * made again.
 */
async function sync(deps: PipelineDeps, cache: ThemeMatcherCache): Promise<void> {
  const themeId = cache.matcher.themeId;
  if (!cache.loaded) {
    const latest = await deps.store.events.latestChanges(themeId, COLD_START_CHANGES);
    const ids = [...new Set(latest.map((change) => change.eventId))].slice(0, WORKING_SET_EVENTS);
    for (const event of await deps.store.events.getMany(ids)) cache.matcher.index.upsert(event);
    cache.seq = latest[0]?.seq ?? 0;
    // Recent off-theme articles, oldest first, so the pool keeps the newest.
    const offTheme = await deps.store.articles.listOffTheme(themeId, { limit: PENDING_LIMITS.size });
    for (const article of offTheme.items.reverse())
      addPending(cache.matcher, preparePending(cache.matcher, toMatchInput(article)));
    cache.loaded = true;
  }
  const changes = await deps.store.events.changesSince(themeId, cache.seq);
  if (changes.length === 0) return;
  // The log keeps 60 days of changes: a cache older than that starts again from the table.
  if ((changes[0]?.seq ?? 0) > cache.seq + 1) {
    resetCache(cache);
    await sync(deps, cache);
    return;
  }
  for (const event of await deps.store.events.getMany([...new Set(changes.map((change) => change.eventId))])) {
    const known = cache.matcher.index.events.get(event.id);
    if (known === undefined || known.version <= event.version) cache.matcher.index.upsert(event);
  }
  cache.seq = changes.at(-1)?.seq ?? cache.seq;
}

/** Forgets what the cache holds: the next match loads it from the table again. */
function resetCache(cache: ThemeMatcherCache): void {
  cache.matcher.index.clear();
  cache.matcher.pending = [];
  cache.loaded = false;
  cache.seq = 0;
}

function cacheFor(deps: PipelineDeps): ThemeMatcherCache {
  const theme = deps.config.theme;
  let cache = deps.matchers.get(theme.id);
  if (cache === undefined) {
    cache = { matcher: createThemeMatcher(theme, deps.config.model), seq: 0, loaded: false, queue: Promise.resolve() };
    deps.matchers.set(theme.id, cache);
  }
  return cache;
}

async function refreshEvent(deps: PipelineDeps, cache: ThemeMatcherCache, eventId: string): Promise<void> {
  const fresh = await deps.store.events.get(eventId);
  if (fresh !== null) cache.matcher.index.upsert(fresh);
}

type Decide = (matcher: Matcher, prepared: PreparedArticle) => MatchExplanation;

/** How much one commit carries: DynamoDB allows 100 items and 4 MB in a transaction. */
export type CommitLimits = { articles: number; bytes: number };

/** A run of up to 25 articles a transaction: about 80 items, well inside DynamoDB's bounds. */
export const COMMIT_LIMITS: CommitLimits = { articles: 25, bytes: 3_000_000 };

/** An article's share of a transaction's bytes, generously: the summary item repeats the title and summary. */
function articleBytes(article: Article): number {
  return 2 * (Buffer.byteLength(article.title) + Buffer.byteLength(article.summary)) + Buffer.byteLength(article.text) + 4096;
}

/** An event item's bytes, roughly: its term maps, one entry per member and per outlet. */
function eventBytes(event: EventState): number {
  return 8192 + 256 * event.members.length + 64 * event.outlets.length;
}

const countsOf = (event: EventState) => ({ articleCount: event.articleCount, sourceCount: event.outlets.length });

/** The decisions of one commit, already applied to the cache; `undo` takes them back out. */
type Plan = {
  commit: CommitMatchesInput;
  /** The theme's sequence once the commit is stored. */
  seqAfter: number;
  /** Articles of the run already stored off-theme (they wait in the cache's pool): nothing to write. */
  known: string[];
  /** The queue without the articles this plan decided or found stored. */
  rest: Article[];
  undo(): void;
};

/**
 * Decides the first articles of `queue`, in order, as many as one transaction holds, applying
 * each decision to the cache before the next (so a run's articles see one another, exactly as
 * one-at-a-time matching would), and records what to write. Nothing is stored yet. An article
 * already in the pool of off-theme articles is stored already, so it is left out: written again
 * it would meet its own claim in the same transaction.
 */
function planCommit(
  matcher: Matcher,
  expectedSeq: number,
  queue: readonly Article[],
  decide: Decide,
  lateClaims: boolean,
  limits: CommitLimits,
  now: Date,
): Plan {
  const indexBefore = new Map<string, EventState | undefined>();
  const pendingBefore = matcher.pending;
  const events = new Map<string, { event: EventState; previousVersion: number | null }>();
  const articles: MatchedArticle[] = [];
  const position = new Map<string, number>();
  const reconsidered: ReconsideredArticle[] = [];
  const pooled = new Set(matcher.pending.map((entry) => entry.input.id));
  const known: string[] = [];
  const undo = () => {
    for (const [id, state] of indexBefore) {
      if (state === undefined) matcher.index.remove(id);
      else matcher.index.upsert(state);
    }
    matcher.pending = pendingBefore;
  };
  let items = 1;
  let bytes = 0;
  let guarded = false;
  let seq = expectedSeq;
  try {
    for (const article of queue) {
      if (articles.length >= limits.articles) break;
      if (pooled.has(article.id)) {
        known.push(article.id);
        continue;
      }
      const input = toMatchInput(article);
      const prepared = prepareArticle(matcher, input);
      const explanation = decide(matcher, prepared);
      const judged: Article = {
        ...article,
        onTheme: explanation.onTheme,
        themeScore: explanation.theme?.score ?? null,
        eventId: explanation.decision === "off-theme" ? null : explanation.eventId,
        explanation,
      };
      const grown = nextEventState(matcher, prepared, explanation);
      // An article judged without looking at events (far below the theme) needs no guard.
      const lookedAtEvents =
        explanation.theme === null || explanation.theme.score >= (matcher.theme?.definition.followUpThreshold ?? 0);
      const previous = grown === null || explanation.decision === "new-event" ? undefined : matcher.index.events.get(grown.id);
      const { claimed, event } =
        grown !== null && lateClaims
          ? reconsiderPending(matcher, grown, MAX_RECONSIDERED_PER_COMMIT)
          : { claimed: [], event: grown };
      const claimedStored = claimed.filter((entry) => !position.has(entry.prepared.input.id)).length;
      const newEvent = event !== null && !events.has(event.id);
      const cost = 2 + (event === null ? 0 : 1) + (newEvent ? 1 : 0) + claimedStored;
      const weight = articleBytes(judged) + (newEvent && event !== null ? eventBytes(event) : 0);
      // The first article always fits: five items and its claims stay inside a transaction.
      if (articles.length > 0 && (items + cost > MAX_TRANSACTION_ITEMS || bytes + weight > limits.bytes)) break;
      items += cost;
      bytes += weight;
      guarded ||= lookedAtEvents || event !== null;

      let change: MatchChange | null = null;
      if (event !== null) {
        if (!indexBefore.has(event.id)) indexBefore.set(event.id, matcher.index.events.get(event.id));
        seq += 1;
        const next: EventState = { ...event, seq, version: (previous?.version ?? 0) + 1 };
        matcher.index.upsert(next);
        // The stored version is the one the run's first change to the event grew from.
        const stored = events.has(next.id) ? (events.get(next.id)?.previousVersion ?? null) : (previous?.version ?? null);
        events.set(next.id, { event: next, previousVersion: stored });
        change = {
          seq,
          eventId: next.id,
          kind: previous === undefined ? "created" : "updated",
          before: previous === undefined ? null : countsOf(previous),
          after: countsOf(next),
          claimedArticleIds: claimed.map((entry) => entry.prepared.input.id),
        };
        for (const entry of claimed) {
          const joined = {
            articleId: entry.prepared.input.id,
            explanation: entry.explanation,
            eventId: entry.explanation.eventId as string,
          };
          const earlier = position.get(joined.articleId);
          // An article of this run is written already joined: one item may not be written twice.
          if (earlier === undefined) reconsidered.push(joined);
          else {
            const entryOfRun = articles[earlier] as MatchedArticle;
            const joinedArticle = {
              ...entryOfRun.article,
              onTheme: true,
              eventId: joined.eventId,
              explanation: joined.explanation,
            };
            articles[earlier] = { ...entryOfRun, article: joinedArticle };
          }
        }
        removePending(matcher, new Set(change.claimedArticleIds));
      } else {
        addPending(matcher, preparePending(matcher, input, prepared));
      }
      position.set(judged.id, articles.length);
      articles.push({ article: judged, change });
    }
  } catch (error) {
    // A decision that throws leaves nothing of the plan in the cache.
    undo();
    throw error;
  }
  const consumed = new Set([...position.keys(), ...known]);
  return {
    commit: {
      themeId: matcher.themeId,
      expectedSeq,
      guarded,
      articles,
      events: [...events.values()],
      reconsidered,
      now,
    },
    seqAfter: seq,
    known,
    rest: queue.filter((article) => !consumed.has(article.id)),
    undo,
  };
}

/** What became of one article of a run. `rejected`: DynamoDB refuses its items (too large, say). */
export type MatchResult = MatchOutcome | { stored: "rejected"; explanation: null; error: Error };

/** The one error DynamoDB gives for items it will never accept (too large, say). */
function isItemRejected(error: unknown): error is Error {
  return error instanceof Error && error.name === "ValidationException";
}

/**
 * Matches `articles` in order and stores them, as many a transaction as fit. While one commit is
 * written, the next is decided on top of it, so deciding overlaps the write. A commit that
 * meets a change made elsewhere is taken back out of the cache (with any decided on top of it),
 * and its articles are decided again on fresh state; an article someone else stored meanwhile
 * is left out as existing. When DynamoDB refuses a commit's items, its articles are committed
 * one by one, so only the refused article is lost (and reported).
 */
async function matchRun(
  deps: PipelineDeps,
  cache: ThemeMatcherCache,
  articles: readonly Article[],
  decide: Decide,
  lateClaims: boolean,
): Promise<MatchResult[]> {
  const results = new Map<string, MatchResult>();
  // An id given twice is one article: the repeat is reported as existing.
  const firsts = new Map<string, Article>();
  for (const article of articles) if (!firsts.has(article.id)) firsts.set(article.id, article);
  let queue = [...firsts.values()];
  let attempt = 0;
  // After a refused commit, its articles go one a commit to find the one DynamoDB refuses.
  let singles = 0;
  const limits = () => (singles > 0 ? { ...COMMIT_LIMITS, articles: 1 } : COMMIT_LIMITS);
  let ahead: Plan | null = null;
  while (queue.length > 0) {
    let plan: Plan;
    if (ahead === null) {
      await sync(deps, cache);
      plan = planCommit(cache.matcher, cache.seq, queue, decide, lateClaims, limits(), deps.now());
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
        ahead = planCommit(cache.matcher, plan.seqAfter, plan.rest, decide, lateClaims, limits(), deps.now());
      } catch (error) {
        planError = error;
      }
    }
    const written = await settled;
    if ("error" in written) {
      // What was decided is taken out again, latest first.
      ahead?.undo();
      ahead = null;
      plan.undo();
      const { error } = written;
      if (!isItemRejected(error)) {
        // The commit may have been stored all the same (an answer lost on the way back): the
        // cache starts again from the table rather than guess.
        resetCache(cache);
        throw error;
      }
      if (planError !== null) throw planError;
      if (plan.commit.articles.length > 1) {
        singles = plan.commit.articles.length;
        continue;
      }
      const refused = plan.commit.articles[0]?.article.id;
      if (refused !== undefined) results.set(refused, { stored: "rejected", explanation: null, error });
      queue = plan.rest;
      singles = Math.max(0, singles - 1);
      continue;
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

/**
 * Judges one new article against its theme and stores it with the decision: off-theme, a copy,
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

/**
 * `matchArticle` for many articles, in the order given (publication order, for the matcher):
 * the same decisions as one at a time, stored up to 25 a transaction, so a feed's new items cost
 * a few round trips instead of one or more each. One outcome per article, in the same order.
 */
export function matchArticles(deps: PipelineDeps, articles: readonly Article[]): Promise<MatchResult[]> {
  return serialised(deps, (cache) => matchRun(deps, cache, articles, decideMatch, true));
}

function serialised<T>(deps: PipelineDeps, work: (cache: ThemeMatcherCache) => Promise<T>): Promise<T> {
  const cache = cacheFor(deps);
  const run = cache.queue.then(() => work(cache));
  cache.queue = run.catch(() => undefined);
  return run;
}

export type ImportSummary = { events: number; imported: number; existing: number };

/**
 * Imports labelled articles as existing events: each group (one gold event) becomes one event,
 * its articles in publication order, without the matcher's decision. Stored the same way as
 * matched articles, so a deployment starts from the stories it already knows. Importing the same
 * articles again changes nothing.
 */
export async function importEvents(deps: PipelineDeps, groups: readonly (readonly Article[])[]): Promise<ImportSummary> {
  const summary: ImportSummary = { events: 0, imported: 0, existing: 0 };
  for (const group of groups) {
    const ordered = [...group].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
    let eventId: string | null = null;
    for (const article of ordered) {
      // The event's id comes from its first article, so a re-run finds the same event.
      const into: string | null = eventId;
      // An import places articles as labelled, one at a time (each joins the event the first
      // opened); it claims no pooled ones.
      const [outcome]: MatchResult[] = await serialised(
        deps,
        (cache): Promise<MatchResult[]> =>
          matchRun(deps, cache, [article], (matcher, prepared) => importExplanation(matcher, prepared, into), false),
      );
      if (outcome === undefined || outcome.stored === "rejected") throw outcome?.error ?? new Error("no import outcome");
      eventId ??= outcome.explanation?.eventId ?? eventIdFor(deps.config.theme.id, article.id);
      if (outcome.stored === "created") summary.imported += 1;
      else summary.existing += 1;
    }
    summary.events += 1;
  }
  return summary;
}
