import type { EventState } from "./matcher/event";
import {
  type AppliedDecision,
  applyDecision,
  applyInMemory,
  type EventWithArticles,
  MAINTENANCE_LIMITS,
  type MaintenanceArticle,
  type MaintenanceDecision,
  type MaintenancePlanner,
} from "./matcher/maintenance-apply";
import { DAY_MS, type Matcher } from "./matcher/matcher";

/** A decision a pass took in stream time, with the pass's time. */
export type StreamMaintenance = { at: string; applied: AppliedDecision };

/**
 * The articles of each event of a stream matched in memory, kept so a maintenance pass can read
 * them as the store would give them, and the decisions it applied. Merged-away events answer
 * with their successor (`current`), as the product's old ids do.
 */
export class StreamEvents {
  private readonly articles = new Map<string, MaintenanceArticle[]>();
  private readonly successors = new Map<string, string>();
  readonly decisions: StreamMaintenance[] = [];

  /** Records that an article joined an event (publication order is restored by the rebuild). */
  add(eventId: string, article: MaintenanceArticle): void {
    const held = this.articles.get(eventId);
    if (held === undefined) this.articles.set(eventId, [article]);
    else held.push(article);
  }

  /** How many events the stream has (those that left the matcher's window included; those merged away not). */
  get size(): number {
    let count = 0;
    for (const articles of this.articles.values()) if (articles.length > 0) count += 1;
    return count;
  }

  /** The event an id now stands for: itself, or the event it was merged into. */
  current(eventId: string): string {
    let id = eventId;
    for (let next = this.successors.get(id); next !== undefined; next = this.successors.get(id)) id = next;
    return id;
  }

  /** Events of the matcher with their articles, as a pass reads them. */
  private withArticles(events: Iterable<EventState>): EventWithArticles[] {
    const out: EventWithArticles[] = [];
    for (const event of events) {
      const articles = this.articles.get(event.id);
      if (articles !== undefined) out.push({ event, articles: [...articles] });
    }
    return out;
  }

  /** Events last seen within the maintenance window before `now` (and not first seen after it); on an undated stream, all. */
  recent(matcher: Matcher, now: string, dated: boolean): EventWithArticles[] {
    // Without dates every event is as recent as any other.
    if (!dated) return this.withArticles(matcher.index.events.values());
    const from = Date.parse(now) - MAINTENANCE_LIMITS.windowDays * DAY_MS;
    const until = Date.parse(now);
    // An imported event may lie ahead of the stream; it is not recent before its time.
    return this.withArticles(
      [...matcher.index.events.values()].filter(
        (event) => Date.parse(event.lastSeen) >= from && Date.parse(event.firstSeen) <= until,
      ),
    );
  }

  /**
   * Plans a pass at `now` and applies its decisions in order, each on the state the earlier ones
   * left. Returns the articles that moved, with the event each now belongs to.
   */
  runPass(matcher: Matcher, planner: MaintenancePlanner, now: string, dated: boolean): Map<string, string> {
    const decisions = planner(matcher, this.recent(matcher, now, dated), now);
    const moved = new Map<string, string>();
    for (const decision of decisions) {
      const applied = this.apply(matcher, decision);
      this.decisions.push({ at: now, applied });
      for (const move of applied.moved) moved.set(move.articleId, move.to);
    }
    return moved;
  }

  private apply(matcher: Matcher, decision: MaintenanceDecision): AppliedDecision {
    const ids = decision.kind === "merge" ? [decision.into, decision.from] : [decision.from];
    const read = new Map(this.withArticles(ids.flatMap((id) => matcher.index.events.get(id) ?? [])).map((e) => [e.event.id, e]));
    const applied = applyDecision(matcher, decision, read);
    applyInMemory(matcher, applied);
    for (const retired of applied.retired) this.successors.set(retired.id, retired.mergedInto);
    for (const move of applied.moved) {
      const from = this.articles.get(move.from) ?? [];
      const index = from.findIndex((article) => article.input.id === move.articleId);
      if (index < 0) continue;
      const [article] = from.splice(index, 1);
      this.add(move.to, article as MaintenanceArticle);
    }
    for (const retired of applied.retired) this.articles.delete(retired.id);
    return applied;
  }
}

/** The end of the UTC day of an ISO time: when a stream day's pass runs. */
export function endOfUtcDay(iso: string): string {
  const time = Date.parse(iso);
  return new Date(Math.floor(time / DAY_MS) * DAY_MS + DAY_MS - 1).toISOString();
}
