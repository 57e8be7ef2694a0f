import { z } from "@hono/zod-openapi";
import { ARTICLE } from "./articles";
import { cursor, integerParameter, limit, query, theme, timeBound } from "./parameters";
import { link, page } from "./responses";

/** GET /api/v1/events */
export const EVENTS_QUERY = z.strictObject({
  theme: theme.meta({ description: "theme id (default: the first theme; see /api/v1/themes)" }),
  q: query.meta({ description: "words that must all occur in the event's title, its articles' words or its entity names" }),
  entity: z.string().trim().min(1).max(100).optional().meta({
    description: "an entity the event names: a theme entity's id or any of its names, or a proper name",
    example: "Islamic State",
  }),
  since: timeBound("start", "events still active at or after this time (last article at or after it)"),
  until: timeBound("end", "events begun by this time (first article at or before it)"),
  minSources: integerParameter(1, 1000)
    .optional()
    .meta({ description: "fewest distinct sources reporting the event, as `sourceCount` counts them (1–1000)" }),
  limit,
  cursor,
});

const EVENT = z
  .object({
    id: z.string(),
    theme: z.string(),
    title: z.string().meta({ description: "from the event's most central article" }),
    firstSeen: z.string().meta({ description: "publication time of its first article" }),
    lastSeen: z.string().meta({ description: "publication time of its latest article" }),
    articleCount: z.number().int(),
    sourceCount: z.number().int().meta({
      description:
        'distinct outlets reporting the event: each article counts for the outlet it credits (a syndicated copy ending "(Other Outlet)", a wire story "BEIRUT (Reuters) -", an agency byline), else for its own source; a copy that credits no one counts for none',
    }),
    centralArticleId: z.string(),
    entities: z.array(z.object({ name: z.string(), type: z.string(), weight: z.number() })),
    terms: z
      .array(z.string())
      .meta({ description: "its strongest terms, each as the word its articles wrote most (the matcher reads stems)" }),
    url: link,
  })
  .openapi("Event");

export const EVENT_PAGE = page(EVENT).openapi("EventPage");

const CORRECTION = z
  .object({
    kind: z.enum(["merged", "merged-into", "split", "split-from"]).meta({
      description:
        "merged: `other` was found to be the same happening and folded into this event; merged-into: this one was folded into `other`; split: some articles left this event for `other`; split-from: this event holds articles that left `other`",
    }),
    other: z.string().meta({ description: "the other event's id" }),
    otherUrl: link,
    at: z.string().meta({ description: "when the maintenance pass stored the decision" }),
    summary: z.string().meta({ description: "why, in a sentence" }),
    signals: z.record(z.string(), z.number()).meta({ description: "the figures the decision was taken on" }),
  })
  .openapi("EventCorrection");

export const EVENT_DETAIL = EVENT.extend({
  mergedInto: z.null().meta({
    description: "null here: an event merged into another answers with a 301 to it, whose body names it (EventMerged)",
  }),
  corrections: z
    .array(CORRECTION)
    .meta({ description: "what maintenance passes did to the event, newest first (the latest 20)" }),
  articles: z.array(ARTICLE).meta({ description: "the newest 100, each with its explanation" }),
  moreArticles: z.string().nullable().meta({ description: "where the rest page, when there are more" }),
}).openapi("EventDetail");

/** The body of a merged-away event's 301. */
export const EVENT_MERGED = z
  .object({
    id: z.string().meta({ description: "the event asked for" }),
    title: z.string(),
    mergedInto: z.string().meta({ description: "the event that answers for it now (the last of any chain of merges)" }),
    mergedAt: z.string(),
    location: link.meta({ description: "the same as the Location header" }),
  })
  .openapi("EventMerged");
