import { eventSummary, shownEntities } from "../event-summary";
import type { EventState } from "../matcher/event";
import type { ArticleSummary } from "../types";
import type { EventChange, MessageType } from "./model";

/** The body of every message: Standard Webhooks' `{type, timestamp, data}`. */
export type WebhookPayload = { type: MessageType; timestamp: string; data: Record<string, unknown> };

/** Links are absolute under `base` when the server's address is known, else paths from its root. */
function link(base: string | null, path: string): string {
  return `${(base ?? "").replace(/\/+$/, "")}${path}`;
}

/** An event as a message carries it: counts as of the change, links to its page, JSON and feed. */
export function eventPayload(event: EventState, change: EventChange, base: string | null) {
  return {
    ...eventSummary(event, change.after),
    previous: change.before,
    entities: shownEntities(event).map(({ name, type }) => ({ name, type })),
    url: link(base, `/events/${event.id}`),
    apiUrl: link(base, `/api/v1/events/${event.id}`),
    feedUrl: link(base, `/feeds/events/${event.id}.json`),
  };
}

/**
 * The `data` of a maintenance change's message. `event.merged`: `event` is the successor (its
 * counts after the merge, `previous` before it), `mergedEventId` the event folded into it, which
 * now answers with a 301 to the successor. `event.split`: `event` is the kept event (counts after
 * the split, `previous` before), `newEvent` the one opened for the moved articles,
 * `movedArticleIds` the moved articles (the first 500; `movedArticleCount` counts them all).
 * `explanation` says why, in a sentence.
 */
export function correctionData(
  event: EventState,
  change: EventChange,
  related: EventState | undefined,
  base: string | null,
): Record<string, unknown> {
  const correction = change.correction;
  if (correction === undefined) throw new Error(`change ${change.seq} of ${change.themeId} is no maintenance change`);
  if (change.kind === "merged") {
    return {
      event: eventPayload(event, change, base),
      mergedEventId: correction.relatedEventId,
      mergedEvent: {
        id: correction.relatedEventId,
        title: related?.title ?? null,
        articleCount: correction.relatedCounts.articleCount,
        sourceCount: correction.relatedCounts.sourceCount,
        url: link(base, `/events/${correction.relatedEventId}`),
      },
      explanation: correction.summary,
    };
  }
  if (related === undefined) throw new Error(`change ${change.seq}: the event the split opened cannot be read`);
  const opened: EventChange = { ...change, eventId: related.id, before: null, after: correction.relatedCounts };
  return {
    event: eventPayload(event, change, base),
    newEvent: eventPayload(related, opened, base),
    movedArticleIds: correction.movedArticleIds,
    movedArticleCount: correction.movedCount,
    explanation: correction.summary,
  };
}

/** An article as `article.added` carries it (no full text: it is at `apiUrl`). */
export function articlePayload(article: ArticleSummary, base: string | null) {
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    url: article.url,
    publishedAt: article.publishedAt,
    source: { id: article.sourceId, title: article.sourceTitle },
    apiUrl: link(base, `/api/v1/articles/${article.id}`),
  };
}

/** Serialises a payload once; every attempt sends (and signs) exactly these bytes. */
export function serializePayload(payload: WebhookPayload): string {
  return JSON.stringify(payload);
}
