import type * as z from "zod";
import { EVENTS_QUERY as EVENTS_FEED_QUERY, FEED_QUERY } from "../routes/feeds";
import { EVENT_MERGED } from "../schemas/events";
import { HEX_ID, type Operation } from "./operation";

/** A feed route: `{name}.{format}` in RSS, Atom or JSON Feed, paged with opaque cursors. */
function feedOperation(path: string, summary: string, name: string, query: z.ZodObject): Operation {
  const parameter = path.includes("{id}") ? "id" : "theme";
  return {
    method: "get",
    path,
    tag: "feeds",
    summary,
    pathParameters: { [parameter]: name, format: "rss, atom, json, or xml (RSS or Atom by the Accept header)" },
    query,
    ok: {
      status: 200,
      description: "the feed",
      mediaTypes: ["application/rss+xml", "application/atom+xml", "application/feed+json"],
    },
    ...(parameter === "id"
      ? {
          moved: {
            description:
              "the event was merged into another: `Location` is that event's feed in the same format (without a cursor)",
            schema: EVENT_MERGED,
          },
        }
      : {}),
    errors: [400, 404],
    cached: true,
  };
}

export const FEED_OPERATIONS: Operation[] = [
  feedOperation("/feeds/{theme}.{format}", "A theme's newest on-theme articles as a feed", "theme id", FEED_QUERY),
  feedOperation(
    "/feeds/{theme}/events.{format}",
    "A theme's events as a feed, one item per event",
    "theme id",
    EVENTS_FEED_QUERY,
  ),
  feedOperation("/feeds/events/{id}.{format}", "One event's articles as a feed", `event id (${HEX_ID})`, FEED_QUERY),
];
