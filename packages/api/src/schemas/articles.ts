import { z } from "@hono/zod-openapi";
import { cursor, HEX_ID, limit, query, theme, timeBound } from "./parameters";
import { link, page } from "./responses";

const SOURCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** GET /api/v1/articles */
export const ARTICLES_QUERY = z.strictObject({
  event: z.string().regex(HEX_ID, "an event id (32 hex digits)").optional().meta({ description: "only this event's articles" }),
  theme: theme.meta({ description: "only articles judged against this theme (see /api/v1/themes)" }),
  q: query.meta({ description: "words that must all occur in the title or summary" }),
  source: z
    .string()
    .regex(SOURCE_ID, "a source id (letters, digits, '.', '_', ':' or '-'; see /api/v1/sources)")
    .optional()
    .meta({ description: "only this source's articles" }),
  since: timeBound("start", "published at or after"),
  until: timeBound("end", "published at or before"),
  onTheme: z
    .enum(["true", "false"], { error: "true or false" })
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "only on-theme (true) or off-theme (false) articles" }),
  limit,
  cursor,
});

export const ARTICLE = z
  .object({
    id: z.string(),
    url: z.string().nullable(),
    title: z.string(),
    summary: z.string(),
    text: z.string().optional().meta({ description: "full text: only on /api/v1/articles/{id}" }),
    author: z.string().nullable(),
    language: z.string().nullable(),
    publishedAt: z.string(),
    dateInferred: z.boolean().meta({ description: "true when the feed gave no date and the fetch time stands in" }),
    fetchedAt: z.string(),
    updatedAt: z
      .string()
      .nullable()
      .meta({ description: "when a later fetch found the title or text edited (and updated it); null if never" }),
    source: z.object({ id: z.string(), title: z.string().nullable() }),
    theme: z.string(),
    onTheme: z.boolean(),
    themeScore: z.number().nullable(),
    event: z.object({ id: z.string(), url: link }).nullable(),
    explanation: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .meta({ description: "why the matcher put the article where it is: only with one article or one event" }),
    themes: z
      .array(
        z.object({
          theme: z.string(),
          onTheme: z.boolean(),
          themeScore: z.number().nullable(),
          event: z.object({ id: z.string(), url: link }).nullable(),
          explanation: z.record(z.string(), z.unknown()).nullable(),
        }),
      )
      .optional()
      .meta({
        description:
          "the article's judgement by each theme that judged it, the first theme's (the top-level fields) first: only on /api/v1/articles/{id}",
      }),
  })
  .openapi("Article");

export const ARTICLE_PAGE = page(ARTICLE).openapi("ArticlePage");
