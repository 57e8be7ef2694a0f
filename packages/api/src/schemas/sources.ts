import { POLL_POLICY } from "@eventwire/core";
import { z } from "@hono/zod-openapi";
import { integerField } from "./parameters";

const intervalSeconds = integerField(POLL_POLICY.minIntervalSeconds, POLL_POLICY.maxIntervalSeconds, " of seconds").optional();

/** POST /api/v1/sources */
export const NEW_SOURCE = z
  .strictObject({
    url: z.string().min(1).max(2048).meta({ description: "the feed's absolute http(s) URL" }),
    title: z.string().min(1).max(200).optional().meta({ description: "a name until the feed gives its own" }),
    intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds (300)" }),
    fullText: z
      .boolean()
      .optional()
      .meta({ description: "fetch each article's page and extract its main text when the feed carries only a summary" }),
  })
  .openapi("NewSource");

/** PATCH /api/v1/sources/{id} */
export const SOURCE_SETTINGS = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: "false stops polling; true polls again at once" }),
    fullText: z.boolean().optional().meta({ description: "fetch article pages for feeds that carry only summaries" }),
    intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds" }),
  })
  .openapi("SourceSettings");

export const SOURCE = z
  .object({
    id: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    enabled: z.boolean(),
    status: z
      .enum(["pending", "ok", "failing", "disabled"])
      .meta({ description: "pending: never fetched; failing: the last attempt failed (see lastError)" }),
    createdAt: z.string(),
    etag: z.string().nullable(),
    lastModified: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    intervalSeconds: z.number().int().meta({ description: "the shortest interval between polls, seconds" }),
    pollIntervalSeconds: z.number().int().nullable().meta({
      description:
        "the interval in use: from the feed's posting rate and the server's max-age or <ttl>, never below intervalSeconds; null before the first success",
    }),
    nextPollAt: z.string(),
    fullText: z.boolean().meta({ description: "article pages are fetched for their main text" }),
  })
  .openapi("Source");

export const SOURCE_LIST = z.object({ items: z.array(SOURCE) }).openapi("SourceList");

const INGEST_COUNTS = {
  items: z.number().int().meta({ description: "items in the feed document" }),
  stored: z.number().int().meta({ description: "new articles stored" }),
  duplicates: z.number().int().meta({ description: "items already stored unchanged, and re-published copies" }),
  updated: z.number().int().meta({ description: "stored articles whose title or text the feed edited" }),
  deferred: z.number().int().meta({ description: "new articles left for the next poll, past the per-fetch cap" }),
  skipped: z.number().int().meta({ description: "items that could not become articles" }),
};

/** POST /api/v1/sources/{id}/refresh: what one fetch of a source did. */
export const INGEST_RESULT = z
  .union([
    z.object({
      ok: z.literal(true),
      sourceId: z.string(),
      url: z.string(),
      status: z
        .enum(["fetched", "not-modified", "busy"])
        .meta({ description: "busy: another run claimed this source first, so this one left it alone" }),
      ...INGEST_COUNTS,
    }),
    z.object({
      ok: z.literal(false),
      sourceId: z.string(),
      url: z.string(),
      error: z.string().meta({ description: "what failed, naming the feed URL" }),
      retryable: z.boolean(),
    }),
  ])
  .openapi("IngestResult");

/** POST /api/v1/ingest/run: a run over every due source. */
export const INGEST_RUN = z
  .object({
    startedAt: z.string(),
    finishedAt: z.string(),
    sourcesKnown: z.number().int(),
    sourcesDue: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    busy: z.number().int().meta({ description: "sources another run was already polling" }),
    notModified: z.number().int(),
    stored: z.number().int(),
    duplicates: z.number().int(),
    updated: z.number().int(),
    deferred: z.number().int(),
    results: z.array(INGEST_RESULT),
  })
  .openapi("IngestRun");
