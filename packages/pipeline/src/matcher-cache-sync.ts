import { addPendingAll, createThemeMatcher, PENDING_LIMITS, preparePending, withoutGaps } from "@eventwire/core";
import type { ChangedEvents } from "@eventwire/store";
import { type PipelineDeps, themeOf } from "./deps";
import { toMatchInput } from "./match-input";
import { resetCache, type ThemeMatcherCache } from "./matcher-cache";

/** The most events a cold start loads: the newest of the matcher's window (see `readWindow`). */
export const WORKING_SET_EVENTS = 5000;

/** The events a change names: its event, and a maintenance change's other one (a split's new event is named only there). */
function changedEventIds(change: ChangedEvents): string[] {
  return change.relatedEventId === null ? [change.eventId] : [change.eventId, change.relatedEventId];
}

/** How many of the latest changes a cold start reads to find where its catch-up begins. */
const COLD_START_CHANGES = 200;

/**
 * How long the theme's events index may take to show a change (DynamoDB's indexes are read
 * eventually; they lag by milliseconds as a rule). Changes written earlier than this before a
 * cold start are taken as seen in the events it reads there; later ones are read again.
 */
const INDEX_SETTLE_MS = 60_000;

/**
 * Loads a cold cache, three reads at once: the events of the matcher's window, newest first and
 * at most `WORKING_SET_EVENTS` (from the theme's events index); the latest changes, to set the
 * cache's sequence at the last change written `INDEX_SETTLE_MS` before the load (the catch-up
 * that follows reads every later change and its events with strong consistency, stopping before
 * a gap, see `withoutGaps`); and the recent off-theme articles a later story may claim.
 */
async function loadCache(deps: PipelineDeps, cache: ThemeMatcherCache): Promise<void> {
  const themeId = cache.matcher.themeId;
  const { index } = cache.matcher;
  const started = deps.now().getTime();
  const [latest, window, pending] = await Promise.all([
    deps.store.changes.latestChanges(themeId, COLD_START_CHANGES),
    deps.store.events.readWindow(themeId, {
      windowMs: index.windowMs,
      minEvents: index.minEvents,
      maxEvents: WORKING_SET_EVENTS,
    }),
    // Read as the pool reads them (title and summary) while the events are still on their way.
    deps.store.articles
      .listOffTheme(themeId, { limit: PENDING_LIMITS.size })
      .then((page) => page.items.map((article) => preparePending(cache.matcher, toMatchInput(article)))),
  ]);
  // Oldest first, as a warm cache met them: the window moves on as they come.
  for (const event of window.events.toReversed()) index.upsert(event);
  const settled = latest.find((change) => Date.parse(change.at) <= started - INDEX_SETTLE_MS);
  // None settled among fewer than asked for: the log starts at the theme's first change.
  cache.seq = settled?.seq ?? (latest.length < COLD_START_CHANGES ? 0 : (latest.at(-1)?.seq ?? 1) - 1);
  // Recent off-theme articles, oldest first, so the pool keeps the newest.
  addPendingAll(cache.matcher, pending.reverse());
  cache.loaded = true;
  // At debug: a run that stores nothing says nothing at info.
  deps.log.debug("matcher cache loaded", {
    themeId,
    events: window.events.length,
    eventItemsRead: window.read.items,
    eventRequests: window.read.requests,
    seq: cache.seq,
    pending: cache.matcher.pending.length,
    ms: deps.now().getTime() - started,
  });
}

/**
 * Brings the cache up to date from the theme's change log, read with strong consistency: on
 * first use the events behind the latest changes, then every change after the cache's
 * sequence. It stops before a gap, as the fan-out does: one commit writes many changes, and a
 * read may see some of them before the rest, so the sequence never moves past a change whose
 * event it has not read (the next commit, made on the older sequence, is refused and decided
 * again). An event a maintenance pass merged away leaves the cache. A commit made after this
 * read fails its sequence condition, and the decision is made again.
 */
export async function syncMatcherCache(deps: PipelineDeps, cache: ThemeMatcherCache): Promise<void> {
  const themeId = cache.matcher.themeId;
  if (!cache.loaded) await loadCache(deps, cache);
  const changes = withoutGaps(cache.seq, await deps.store.changes.changesSince(themeId, cache.seq), deps.now());
  if (changes.length === 0) return;
  // A lasting gap before the first: the log keeps 60 days of changes, and a cache older than
  // that starts again from the table.
  if ((changes[0]?.seq ?? 0) > cache.seq + 1) {
    resetCache(cache);
    await syncMatcherCache(deps, cache);
    return;
  }
  const { live, gone } = await deps.store.events.getLive(changes.flatMap(changedEventIds));
  for (const event of live) {
    const known = cache.matcher.index.events.get(event.id);
    if (known === undefined || known.version <= event.version) cache.matcher.index.upsert(event);
  }
  for (const id of gone) cache.matcher.index.remove(id);
  cache.seq = changes.at(-1)?.seq ?? cache.seq;
}

function cacheFor(deps: PipelineDeps, themeId: string): ThemeMatcherCache {
  const theme = themeOf(deps, themeId);
  let cache = deps.matchers.get(theme.id);
  if (cache === undefined) {
    cache = { matcher: createThemeMatcher(theme, deps.config.model), seq: 0, loaded: false, queue: Promise.resolve() };
    deps.matchers.set(theme.id, cache);
  }
  return cache;
}

/** Reads one event again into the cache (after a commit found it stale); one merged away leaves it. */
export async function refreshEvent(deps: PipelineDeps, cache: ThemeMatcherCache, eventId: string): Promise<void> {
  const { live } = await deps.store.events.getLive([eventId]);
  const fresh = live[0];
  if (fresh !== undefined) cache.matcher.index.upsert(fresh);
  else cache.matcher.index.remove(eventId);
}

/** Runs `work` on the theme's cache once the runs before it on this process have ended. */
export function serialised<T>(deps: PipelineDeps, themeId: string, work: (cache: ThemeMatcherCache) => Promise<T>): Promise<T> {
  const cache = cacheFor(deps, themeId);
  const run = cache.queue.then(() => work(cache));
  cache.queue = run.catch(() => undefined);
  return run;
}
