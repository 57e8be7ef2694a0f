import { addPending, createThemeMatcher, PENDING_LIMITS, preparePending, withoutGaps } from "@eventwire/core";
import type { ChangedEvents } from "@eventwire/store";
import { type PipelineDeps, themeOf } from "./deps";
import { toMatchInput } from "./match-input";
import { resetCache, type ThemeMatcherCache } from "./matcher-cache";

/** How many recently changed events a cold start loads (the candidates come from these). */
export const WORKING_SET_EVENTS = 5000;

/** The events a change names: its event, and a maintenance change's other one (a split's new event is named only there). */
function changedEventIds(change: ChangedEvents): string[] {
  return change.relatedEventId === null ? [change.eventId] : [change.eventId, change.relatedEventId];
}

/** How many of the latest changes a cold start reads to find its working set of events. */
const COLD_START_CHANGES = 20_000;

/**
 * Loads a cold cache: the events behind the theme's latest changes, current up to the last
 * change before the first gap a commit not yet seen whole leaves (see `withoutGaps`), and the
 * recent off-theme articles a later story may claim.
 */
async function loadCache(deps: PipelineDeps, cache: ThemeMatcherCache): Promise<void> {
  const themeId = cache.matcher.themeId;
  const latest = await deps.store.changes.latestChanges(themeId, COLD_START_CHANGES);
  const ids = [...new Set(latest.flatMap(changedEventIds))].slice(0, WORKING_SET_EVENTS);
  for (const event of (await deps.store.events.getLive(ids)).live) cache.matcher.index.upsert(event);
  const oldestFirst = [...latest].reverse();
  // Fewer than asked for: that is the whole log, which starts at the theme's first change.
  const start = latest.length < COLD_START_CHANGES ? 0 : (oldestFirst[0]?.seq ?? 1) - 1;
  cache.seq = withoutGaps(start, oldestFirst, deps.now()).at(-1)?.seq ?? start;
  // Recent off-theme articles, oldest first, so the pool keeps the newest.
  const offTheme = await deps.store.articles.listOffTheme(themeId, { limit: PENDING_LIMITS.size });
  for (const article of offTheme.items.reverse()) addPending(cache.matcher, preparePending(cache.matcher, toMatchInput(article)));
  cache.loaded = true;
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
