import { byPublication, type EventState, type EventWithArticles, MAINTENANCE_LIMITS } from "@eventwire/core";
import pLimit from "p-limit";
import type { PipelineDeps } from "../deps";
import { toMatchInput } from "../match-input";
import type { ThemeMatcherCache } from "../matcher-cache";

const DAY_MS = 86_400_000;
/** Events whose articles are read at once. */
const READ_CONCURRENCY = 8;

/** Events read whole for a pass, by id. */
export type HeldEvents = Map<string, EventWithArticles>;

/**
 * Events with every one of their articles, the full text included, as a pass re-examines them.
 * The event's article index may lag a write by a moment, so each article is read again with
 * strong consistency and kept only if it is still in the event; an event whose articles do not
 * add up to its count (an index behind, or an earlier decision's moves under way) is left out,
 * `incomplete`, for a later pass.
 */
export async function readWhole(
  deps: PipelineDeps,
  events: readonly EventState[],
): Promise<{ whole: EventWithArticles[]; incomplete: string[] }> {
  const limit = pLimit(READ_CONCURRENCY);
  const read = await Promise.all(
    events.map((event) =>
      limit(async () => {
        const ids = await deps.store.articles.idsByEvent(event.id);
        // As the event's theme judged them: an article another theme judged first is read from its membership.
        const judged = await deps.store.articles.getFull(ids, event.theme);
        const articles = judged.filter((article) => article.eventId === event.id);
        if (articles.length !== event.articleCount) return { event, articles: null };
        return { event, articles: articles.sort(byPublication) };
      }),
    ),
  );
  const whole: EventWithArticles[] = [];
  const incomplete: string[] = [];
  for (const { event, articles } of read) {
    if (articles === null) incomplete.push(event.id);
    else
      whole.push({
        event,
        articles: articles.map((article) => ({ input: toMatchInput(article), copyOf: article.explanation?.copyOf ?? null })),
      });
  }
  return { whole, incomplete };
}

/**
 * The theme's events last seen within `MAINTENANCE_LIMITS.windowDays` of `now`, read whole (see
 * `readWhole`), the most recently active first. Their stored states, read with strong
 * consistency, also go into the cache's index where it holds an older one, so the planner sees
 * what the decisions are written over.
 */
export async function readRecentEvents(
  deps: PipelineDeps,
  cache: ThemeMatcherCache,
  now: Date,
): Promise<{ whole: EventWithArticles[]; incomplete: string[] }> {
  const since = new Date(now.getTime() - MAINTENANCE_LIMITS.windowDays * DAY_MS).toISOString();
  const ids = await deps.store.events.idsActiveSince(cache.matcher.themeId, since);
  const { live } = await deps.store.events.getLive(ids);
  live.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.id.localeCompare(b.id));
  for (const event of live) {
    const known = cache.matcher.index.events.get(event.id);
    if (known === undefined || known.version < event.version) cache.matcher.index.upsert(event);
  }
  return readWhole(deps, live);
}
