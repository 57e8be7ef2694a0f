import { EVENT_DETAIL, EVENT_MERGED, EVENT_PAGE, EVENTS_QUERY } from "../schemas/events";
import { NO_QUERY } from "../schemas/parameters";
import { HEX_ID, type Operation } from "./operation";

export const EVENT_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/v1/events",
    tag: "events",
    summary: "A theme's events, the most recently active first",
    description:
      "Filters combine. Words, entity, `until` and `minSources` are applied while reading the theme's events in order, at most a set number per request: a page may then hold fewer than `limit` events, or none, and still have a `nextCursor`. Follow it until it is null to get every match exactly once.",
    query: EVENTS_QUERY,
    ok: { status: 200, description: "a page of events", schema: EVENT_PAGE },
    errors: [400],
    cached: true,
  },
  {
    method: "get",
    path: "/api/v1/events/{id}",
    tag: "events",
    summary: "One event with its newest 100 articles and why each is there",
    pathParameters: { id: `event id (${HEX_ID})` },
    query: NO_QUERY,
    ok: { status: 200, description: "the event", schema: EVENT_DETAIL },
    moved: {
      description:
        "the event was merged into another by a maintenance pass: `Location` is this route for the event that answers for it now (the last of any chain of merges)",
      schema: EVENT_MERGED,
    },
    errors: [400, 404],
    cached: true,
  },
];
