/**
 * Key builders: the only place that knows how items are laid out in the table.
 *
 * | item    | pk            | sk      | gsi1                        | gsi2                             | gsi3                  | gsi4                 |
 * | ------- | ------------- | ------- | --------------------------- | -------------------------------- | --------------------- | -------------------- |
 * | source  | SOURCE#<id>   | SOURCE  | SOURCES / <created>#<id>    |                                  |                       |                      |
 * | article | ARTICLE#<id>  | ARTICLE | ARTICLES / <published>#<id> | THEME#<t> or OFFTHEME#<t> / time | SOURCE#<s> / time     | EVENT#<e> / time     |
 * | text    | ARTICLE#<id>  | TEXT    |                             |                                  |                       |                      |
 * | member. | ARTICLE#<id>  | THEME#<t> |                           | THEME#<t> or OFFTHEME#<t> / time |                       | EVENT#<e> / time     |
 * | event   | EVENT#<id>    | EVENT   |                             | EVENTS#<t> / <lastSeen>#<id> (not once merged away) |    |                      |
 * | correct.| EVENT#<id>    | CORRECTION#<seq> (a maintenance decision's record on the event: kind, other event, why)                  |
 * | matcher | THEME#<t>     | MATCHER |                             |                                  |                       |                      |
 * | change  | THEME#<t>     | CHANGE#<seq> (event id, counts before and after; the webhook outbox; expires after 60 days)                       |
 * | fan-out | THEME#<t>     | FANOUT  | (the last change turned into webhook messages)                                                          |
 * | moves   | THEME#<t>     | MOVES#<seq>#<part> (articles a maintenance decision moves, until they are moved)                          |
 * | tally   | THEME#<t>     | STORED  | (articles stored, counted on by ingest: every `afterStored` of them calls for a maintenance pass)      |
 * | subscr. | SUB#<id>      | SUB     | SUBSCRIPTIONS / <created>#<id> |                                |                       |                      |
 * | message | MSG#<id>      | MSG     |                             | DUE / <dueAt>#<id> (while due), HELD / <sub>#<position> (while held) |
 * | msg log | SUB#<id>      | MSG#<position> (the message id; the position is the subscription's messageSeq when it was written)       |
 * | attempt | MSG#<id>      | ATTEMPT#<n> |                         |                                  | SUBATTEMPTS#<sub> / <at>#<id>#<n> (expires after 30 days) |
 * | digest  | SEARCH#SLOTS or SEARCH#DAYS | <bucket start> (a Bloom filter of the search terms of every article published in a 5-minute slot or a UTC day) |
 * | late    | SEARCH#LATE   | <published>#<id> (an article written into a bucket that may be digested; deleted once the digests hold it)  |
 *
 * On-theme articles sit under THEME#<t> in gsi2, so that partition is exactly what the theme
 * feeds serve; off-theme ones sit under OFFTHEME#<t>, where a later story can still find them.
 * An article item carries the judgement of the first theme that judged it (its `theme`), inline;
 * each further theme's judgement is a membership item (`THEME#<t>` under the article's partition):
 * that theme's fields and a copy of the article's listing fields, in that theme's gsi2 and gsi4
 * partitions like an article item, so every per-theme listing reads both alike. The article item's
 * string set `judged` names the themes of its memberships (absent: none); gsi1 and gsi3 (all
 * articles, by source) list article items only.
 * The search index (search-index-repository.ts) digests closed buckets of publication time over
 * every article (all themes together: an article's terms are the same in every listing), so a
 * `q=` listing of any partition skips the buckets that cannot hold a match. Its items are in
 * no index, so they cost one write each.
 * The matcher item holds the theme's change sequence: every event change takes the next number
 * and writes a CHANGE#<seq> item naming the event, which matchers that cache events read (with
 * strong consistency) to catch up.
 */
const MESSAGE_LOG_PREFIX = "MSG#";

/** A message's place in its subscription's listing: its number, zero-padded so text sorts as numbers. */
export function messagePosition(seq: number): string {
  return String(seq).padStart(12, "0");
}

export const keys = {
  source: (id: string) => ({ pk: `SOURCE#${id}`, sk: "SOURCE" }),
  sourceCollection: "SOURCES",
  article: (id: string) => ({ pk: `ARTICLE#${id}`, sk: "ARTICLE" }),
  /** The article's full text, kept apart so that listings read small items. */
  articleText: (id: string) => ({ pk: `ARTICLE#${id}`, sk: "TEXT" }),
  articleCollection: "ARTICLES",
  /** One further theme's judgement of an article (its first theme's is on the article item). */
  membership: (articleId: string, themeId: string) => ({ pk: `ARTICLE#${articleId}`, sk: `THEME#${themeId}` }),
  membershipPrefix: "THEME#",
  themeArticles: (themeId: string) => `THEME#${themeId}`,
  offThemeArticles: (themeId: string) => `OFFTHEME#${themeId}`,
  eventArticles: (eventId: string) => `EVENT#${eventId}`,
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: "EVENT" }),
  /** A maintenance decision's record on an event, numbered by the change that made it. */
  correction: (eventId: string, seq: number) => ({ pk: `EVENT#${eventId}`, sk: `CORRECTION#${String(seq).padStart(12, "0")}` }),
  correctionPrefix: "CORRECTION#",
  themeEvents: (themeId: string) => `EVENTS#${themeId}`,
  matcher: (themeId: string) => ({ pk: `THEME#${themeId}`, sk: "MATCHER" }),
  /** One item per change of a theme's events, read with strong consistency to catch up. */
  change: (themeId: string, seq: number) => ({ pk: `THEME#${themeId}`, sk: `CHANGE#${String(seq).padStart(12, "0")}` }),
  changePrefix: "CHANGE#",
  sourceArticles: (sourceId: string) => `SOURCE#${sourceId}`,
  /** Articles a maintenance decision still has to move, a part of up to a few thousand ids an item. */
  moves: (themeId: string, seq: number, part: number) => ({
    pk: `THEME#${themeId}`,
    sk: `MOVES#${String(seq).padStart(12, "0")}#${String(part).padStart(3, "0")}`,
  }),
  movesPrefix: "MOVES#",
  /** How many articles ingest has stored for the theme, ever: the maintenance trigger's count. */
  storedTally: (themeId: string) => ({ pk: `THEME#${themeId}`, sk: "STORED" }),
  /** How far the theme's changes have been turned into webhook messages. */
  fanOut: (themeId: string) => ({ pk: `THEME#${themeId}`, sk: "FANOUT" }),
  subscription: (id: string) => ({ pk: `SUB#${id}`, sk: "SUB" }),
  subscriptionCollection: "SUBSCRIPTIONS",
  message: (id: string) => ({ pk: `MSG#${id}`, sk: "MSG" }),
  /**
   * A subscription's messages in the order they were written (the catch-up listing): one entry
   * per message under the subscription's partition, numbered by its message counter.
   */
  subscriptionMessage: (subscriptionId: string, seq: number) => ({
    pk: `SUB#${subscriptionId}`,
    sk: `${MESSAGE_LOG_PREFIX}${messagePosition(seq)}`,
  }),
  messageLogPrefix: MESSAGE_LOG_PREFIX,
  /** Messages waiting for an attempt, by the time it is due (a sparse index partition). */
  dueMessages: "DUE",
  /** Messages held for a paused or disabled subscription, by subscription (a sparse index partition). */
  heldMessages: "HELD",
  attempt: (messageId: string, n: number) => ({ pk: `MSG#${messageId}`, sk: `ATTEMPT#${String(n).padStart(3, "0")}` }),
  subscriptionAttempts: (subscriptionId: string) => `SUBATTEMPTS#${subscriptionId}`,
  /** The search index's digest of the articles published in one slot or one UTC day, by its start. */
  searchDigest: (level: "slot" | "day", start: string) => ({ pk: level === "slot" ? "SEARCH#SLOTS" : "SEARCH#DAYS", sk: start }),
  searchDigests: (level: "slot" | "day") => (level === "slot" ? "SEARCH#SLOTS" : "SEARCH#DAYS"),
  /** An article written into a bucket that may be digested already, until the digests hold its terms. */
  lateMark: (sortKey: string) => ({ pk: "SEARCH#LATE", sk: sortKey }),
  lateMarks: "SEARCH#LATE",
  /** Sorts by time, ties broken by id, so a page boundary never splits equal times ambiguously. */
  byTime: (isoTime: string, id: string) => `${isoTime}#${id}`,
} as const;

export const ENTITY = {
  source: "source",
  article: "article",
  articleText: "article_text",
  membership: "article_membership",
  event: "event",
  matcher: "matcher",
  change: "change",
  correction: "correction",
  moves: "maintenance_moves",
  storedTally: "stored_tally",
  fanOut: "fan_out",
  subscription: "subscription",
  message: "message",
  messageLog: "message_log",
  attempt: "attempt",
  searchDigest: "search_digest",
  lateMark: "search_late_mark",
} as const;
