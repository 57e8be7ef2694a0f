import { POLL_POLICY } from "@eventwire/core";
import * as z from "zod";
import { integerField } from "./parameters";

const intervalSeconds = integerField(POLL_POLICY.minIntervalSeconds, POLL_POLICY.maxIntervalSeconds, " of seconds").optional();

/** POST /api/v1/sources */
export const NEW_SOURCE = z.strictObject({
  url: z.string().min(1).max(2048).meta({ description: "the feed's absolute http(s) URL" }),
  title: z.string().min(1).max(200).optional().meta({ description: "a name until the feed gives its own" }),
  intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds (300)" }),
  fullText: z
    .boolean()
    .optional()
    .meta({ description: "fetch each article's page and extract its main text when the feed carries only a summary" }),
});

/** PATCH /api/v1/sources/{id} */
export const SOURCE_SETTINGS = z.strictObject({
  enabled: z.boolean().optional().meta({ description: "false stops polling; true polls again at once" }),
  fullText: z.boolean().optional().meta({ description: "fetch article pages for feeds that carry only summaries" }),
  intervalSeconds: intervalSeconds.meta({ description: "the shortest interval between polls, seconds" }),
});

export const SOURCE = z.object({
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
});

export const SOURCE_LIST = z.object({ items: z.array(SOURCE) });
