import type { Article, EventState } from "@eventwire/core";
import { MAX_TRANSACTION_ITEMS } from "./transaction";

/** Articles one match commit holds at most: about 80 items, well inside a transaction's 100. */
const ARTICLES_PER_COMMIT = 25;
/** A commit's bytes at most, leaving room under a transaction's 4 MB. */
const COMMIT_BYTES = 3_000_000;
/** Stored off-theme articles one change may claim: a transaction holds 100 items, and five go to the theme, the event, its change and the article. */
const MAX_RECONSIDERED_PER_COMMIT = 90;

/** An article's share of a transaction's bytes, generously: the summary item repeats the title and summary. */
function articleBytes(article: Article): number {
  return 2 * (Buffer.byteLength(article.title) + Buffer.byteLength(article.summary)) + Buffer.byteLength(article.text) + 4096;
}

/** An event item's bytes, roughly: its term maps, one entry per member and per outlet. */
function eventBytes(event: EventState): number {
  return 8192 + 256 * event.members.length + 64 * event.outlets.length;
}

/** One article of a commit as the room counts it: the event it changes, and the stored articles that change claims. */
export type CommitEntry = {
  article: Article;
  /** The event the article changes (null: none). */
  event: EventState | null;
  /** Whether this is the commit's first change to that event (each event is written once a commit). */
  firstChangeOfEvent: boolean;
  /** Stored off-theme articles the change claims (an article of the same commit is written joined, at no cost). */
  claimedStored: number;
};

/**
 * What one match commit (`commitMatches`) can still take: the commit planner asks it before
 * adding each decided article, so a commit always fits one transaction.
 */
export type MatchCommitRoom = {
  /** Stored off-theme articles one change may claim at most. */
  readonly claimsAtMost: number;
  /** Whether the commit holds as many articles as it takes. */
  isFull(): boolean;
  /** Takes room for one more article and what it writes; false, taking nothing, when they do not fit (the first article always fits). */
  take(entry: CommitEntry): boolean;
};

/** The room of an empty match commit; `maxArticles` bounds its articles further (one, to find an article the store refuses). */
export function createMatchCommitRoom(maxArticles = ARTICLES_PER_COMMIT): MatchCommitRoom {
  // The theme's sequence (or its check) is always written.
  let items = 1;
  let bytes = 0;
  let articles = 0;
  return {
    claimsAtMost: MAX_RECONSIDERED_PER_COMMIT,
    isFull: () => articles >= Math.min(maxArticles, ARTICLES_PER_COMMIT),
    take(entry) {
      const firstWrite = entry.event !== null && entry.firstChangeOfEvent;
      // The article and its text, the change, the event once, and each claimed article's update.
      const cost = 2 + (entry.event === null ? 0 : 1) + (firstWrite ? 1 : 0) + entry.claimedStored;
      const weight = articleBytes(entry.article) + (firstWrite && entry.event !== null ? eventBytes(entry.event) : 0);
      if (articles > 0 && (items + cost > MAX_TRANSACTION_ITEMS || bytes + weight > COMMIT_BYTES)) return false;
      items += cost;
      bytes += weight;
      articles += 1;
      return true;
    },
  };
}
