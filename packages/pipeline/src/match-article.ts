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
import { MAX_RECONSIDERED_PER_COMMIT } from "@eventwire/store";
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
  /** Matching for a theme runs one article at a time in a process. */
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
    cache.matcher.index.clear();
    cache.matcher.pending = [];
    cache.loaded = false;
    cache.seq = 0;
    await sync(deps, cache);
    return;
  }
  for (const event of await deps.store.events.getMany([...new Set(changes.map((change) => change.eventId))])) {
    const known = cache.matcher.index.events.get(event.id);
    if (known === undefined || known.version <= event.version) cache.matcher.index.upsert(event);
  }
  cache.seq = changes.at(-1)?.seq ?? cache.seq;
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

async function refreshEvent(deps: PipelineDeps, cache: ThemeMatcherCache, event: EventState): Promise<void> {
  const fresh = await deps.store.events.get(event.id);
  if (fresh !== null) cache.matcher.index.upsert(fresh);
}

type Decide = (matcher: Matcher, prepared: PreparedArticle) => MatchExplanation;

async function matchOnce(
  deps: PipelineDeps,
  cache: ThemeMatcherCache,
  article: Article,
  decide: Decide,
  lateClaims: boolean,
): Promise<MatchOutcome> {
  const { matcher } = cache;
  for (let attempt = 1; attempt <= DECIDE_ATTEMPTS; attempt += 1) {
    await sync(deps, cache);
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
    const decided = nextEventState(matcher, prepared, explanation);
    // An article judged without looking at events (far below the theme) needs no guard.
    const lookedAtEvents =
      explanation.theme === null || explanation.theme.score >= (matcher.theme?.definition.followUpThreshold ?? 0);
    if (decided === null && !lookedAtEvents) {
      const stored = await deps.store.articles.putIfAbsent(judged);
      if (stored === "created") addPending(matcher, preparePending(matcher, input, prepared));
      return { stored, explanation };
    }
    const previous = decided === null || explanation.decision === "new-event" ? undefined : matcher.index.events.get(decided.id);
    const { claimed, event } =
      decided !== null && lateClaims
        ? reconsiderPending(matcher, decided, MAX_RECONSIDERED_PER_COMMIT)
        : { claimed: [], event: decided };
    const outcome = await deps.store.events.commitMatch({
      themeId: matcher.themeId,
      expectedSeq: cache.seq,
      article: judged,
      event,
      previousVersion: previous?.version ?? null,
      previousCounts: previous ? { articleCount: previous.articleCount, sourceCount: previous.sourceIds.length } : null,
      reconsidered: claimed.map((entry) => ({
        articleId: entry.prepared.input.id,
        explanation: entry.explanation,
        eventId: entry.explanation.eventId as string,
      })),
      now: deps.now(),
    });
    if (outcome.kind === "committed") {
      cache.seq = outcome.seq;
      if (event !== null) matcher.index.upsert({ ...event, seq: outcome.seq, version: (previous?.version ?? 0) + 1 });
      else addPending(matcher, preparePending(matcher, input, prepared));
      removePending(matcher, new Set(claimed.map((entry) => entry.prepared.input.id)));
      return { stored: "created", explanation };
    }
    if (outcome.kind === "exists") return { stored: "exists", explanation: null };
    // Stale: the sequence moved (sync catches up), the event was older than stored, or a
    // pooled article was claimed elsewhere; fix what went stale and decide again.
    if (outcome.event && decided !== null) await refreshEvent(deps, cache, decided);
    removePending(matcher, new Set(outcome.reconsidered));
    deps.log.info("match retried on fresher state", { articleId: article.id, attempt });
  }
  throw new Error(`matching article ${article.id} kept meeting concurrent changes (${DECIDE_ATTEMPTS} attempts)`);
}

/**
 * Judges one new article against its theme and stores it with the decision: off-theme, a copy,
 * attached to an event, or the first article of a new one. The article, the event change and
 * any older articles the event now claims are written together, conditional on the theme's
 * change sequence, so two processes matching at once cannot fork a story or lose an update.
 */
export function matchArticle(deps: PipelineDeps, article: Article): Promise<MatchOutcome> {
  return serialised(deps, (cache) => matchOnce(deps, cache, article, decideMatch, true));
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
      const outcome: MatchOutcome = await serialised(
        deps,
        (cache): Promise<MatchOutcome> =>
          // An import places articles as labelled; it claims no pooled ones.
          matchOnce(
            deps,
            cache,
            article,
            (matcher, prepared): MatchExplanation => importExplanation(matcher, prepared, into),
            false,
          ),
      );
      eventId ??= outcome.explanation?.eventId ?? eventIdFor(deps.config.theme.id, article.id);
      if (outcome.stored === "created") summary.imported += 1;
      else summary.existing += 1;
    }
    summary.events += 1;
  }
  return summary;
}
