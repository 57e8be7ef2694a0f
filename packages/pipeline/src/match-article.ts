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
const SYNC_ATTEMPTS = 20;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Brings the cache up to the theme's sequence: loads it on first use, then applies changes. */
async function sync(deps: PipelineDeps, cache: ThemeMatcherCache): Promise<void> {
  const themeId = cache.matcher.themeId;
  const target = await deps.store.events.sequence(themeId);
  if (!cache.loaded) {
    for (const event of await deps.store.events.listLatest(themeId, WORKING_SET_EVENTS)) {
      cache.matcher.index.upsert(event);
      cache.seq = Math.max(cache.seq, event.seq);
    }
    // Recent off-theme articles, oldest first, so the pool keeps the newest.
    const offTheme = await deps.store.articles.listOffTheme(themeId, { limit: PENDING_LIMITS.size });
    for (const article of offTheme.items.reverse())
      addPending(cache.matcher, preparePending(cache.matcher, toMatchInput(article)));
    cache.loaded = true;
  }
  // The change index is eventually consistent: wait until it shows the newest change.
  for (let attempt = 1; cache.seq < target; attempt += 1) {
    for (const event of await deps.store.events.listChangedSince(themeId, cache.seq)) {
      const known = cache.matcher.index.events.get(event.id);
      if (known === undefined || known.version <= event.version) cache.matcher.index.upsert(event);
      cache.seq = Math.max(cache.seq, event.seq);
    }
    if (cache.seq >= target) break;
    if (attempt >= SYNC_ATTEMPTS) throw new Error(`the event change index lags the theme sequence (${cache.seq} < ${target})`);
    await sleep(25 * attempt);
  }
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

async function matchOnce(deps: PipelineDeps, cache: ThemeMatcherCache, article: Article, decide: Decide): Promise<MatchOutcome> {
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
    if (decided === null) {
      const stored = await deps.store.articles.putIfAbsent(judged);
      if (stored === "created") addPending(matcher, preparePending(matcher, input));
      return { stored, explanation };
    }
    const { claimed, event } = reconsiderPending(matcher, decided, MAX_RECONSIDERED_PER_COMMIT);
    const outcome = await deps.store.events.commitMatch({
      themeId: matcher.themeId,
      expectedSeq: cache.seq,
      article: judged,
      event,
      reconsidered: claimed.map((entry) => ({
        articleId: entry.prepared.input.id,
        explanation: entry.explanation,
        eventId: event.id,
      })),
    });
    if (outcome.kind === "committed") {
      cache.seq += 1;
      matcher.index.upsert({ ...event, seq: cache.seq });
      removePending(matcher, new Set(claimed.map((entry) => entry.prepared.input.id)));
      return { stored: "created", explanation };
    }
    if (outcome.kind === "exists") return { stored: "exists", explanation: null };
    // Stale: the sequence moved (sync catches up), the event was older than stored, or a
    // pooled article was claimed elsewhere; fix what went stale and decide again.
    if (outcome.event) await refreshEvent(deps, cache, decided);
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
  return serialised(deps, (cache) => matchOnce(deps, cache, article, decideMatch));
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
          matchOnce(deps, cache, article, (matcher, prepared): MatchExplanation => importExplanation(matcher, prepared, into)),
      );
      eventId ??= outcome.explanation?.eventId ?? eventIdFor(deps.config.theme.id, article.id);
      if (outcome.stored === "created") summary.imported += 1;
      else summary.existing += 1;
    }
    summary.events += 1;
  }
  return summary;
}
