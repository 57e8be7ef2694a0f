import { articleSearchTerms, bucketOf, closedBefore, type TimeBucket } from "@eventwire/core";
import type { DigestedText, LateMark } from "@eventwire/store";
import type { PipelineDeps } from "./deps";

/** What one build of the search index did. */
export type SearchIndexBuild = {
  /** Slot and day digests written. */
  slots: number;
  days: number;
  /** Articles read to write them. */
  articles: number;
  /** Late marks whose articles the digests now hold. */
  folded: number;
  /** True when the article budget ran out with closed buckets left to digest: build again. */
  more: boolean;
};

/** Articles one build reads at most (a few days of a busy deployment), so a maintenance pass stays short. */
export const SEARCH_BUILD_ARTICLES = 20_000;
/** Late marks one build folds at most. */
const LATE_MARKS_PER_BUILD = 500;
/** A late mark whose article is still not stored after this long was left by a write that failed. */
const ORPHAN_MARK_MS = 24 * 60 * 60_000;
/** Slot digests written at once (each a conditional put of a KB or two). */
const SLOT_WRITES_AT_ONCE = 8;

const ms = (iso: string) => Date.parse(iso);

function termsOf(texts: readonly DigestedText[]): Set<string> {
  const terms = new Set<string>();
  for (const text of texts) for (const term of articleSearchTerms(text)) terms.add(term);
  return terms;
}

/** Writes the slot digests of `[from, to)` (one day at most, slot-aligned) from its articles; returns them. */
async function buildSlots(deps: PipelineDeps, from: number, to: number, summary: SearchIndexBuild): Promise<DigestedText[]> {
  const texts = await deps.store.search.texts(new Date(from).toISOString(), new Date(to).toISOString());
  summary.articles += texts.length;
  const bySlot = new Map<string, DigestedText[]>();
  for (const text of texts) {
    const slot = bucketOf("slot", ms(text.publishedAt)).start;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), text]);
  }
  // Every slot gets its digest, an empty one too: within the digested span, no digest means none yet.
  const slots: TimeBucket[] = [];
  for (let start = from; start < to; start = ms(bucketOf("slot", start).end)) slots.push(bucketOf("slot", start));
  for (let first = 0; first < slots.length; first += SLOT_WRITES_AT_ONCE) {
    const outcomes = await Promise.all(
      slots.slice(first, first + SLOT_WRITES_AT_ONCE).map((slot) => {
        const inSlot = bySlot.get(slot.start) ?? [];
        return deps.store.search.putDigest("slot", slot, termsOf(inSlot), inSlot.length);
      }),
    );
    summary.slots += outcomes.filter((outcome) => outcome === "created").length;
  }
  return texts;
}

/** Writes the day's digest if it has none: from `texts` when they are the whole day's, else read again. */
async function buildDay(deps: PipelineDeps, day: TimeBucket, summary: SearchIndexBuild, texts?: DigestedText[]) {
  if ((await deps.store.search.digests("day", { fromStart: day.start, toStart: day.start }, 1)).length > 0) return;
  const all = texts ?? (await deps.store.search.texts(day.start, day.end));
  if (texts === undefined) summary.articles += all.length;
  if ((await deps.store.search.putDigest("day", day, termsOf(all), all.length)) === "created") summary.days += 1;
}

/**
 * Folds late marks into the digests of their buckets: the marked articles, read strongly, have
 * their terms added to their slot's and their day's digest; a mark is cleared once both hold
 * them. A bucket not digested yet keeps its marks (its build reads the article with the rest).
 */
async function foldLateMarks(deps: PipelineDeps, now: Date): Promise<number> {
  const marks = await deps.store.search.pendingLateMarks(LATE_MARKS_PER_BUILD);
  if (marks.length === 0) return 0;
  const stored = new Map(
    (await deps.store.articles.getSummaries([...new Set(marks.map((mark) => mark.articleId))], { consistent: true })).map(
      (article) => [article.id, article],
    ),
  );
  const cleared: string[] = [];
  const byBucket = new Map<string, { level: "slot" | "day"; start: string; marks: LateMark[]; terms: Set<string> }>();
  for (const mark of marks) {
    const article = stored.get(mark.articleId);
    if (article === undefined) {
      // Not stored (yet): its write may be under way; long after, it failed.
      if (ms(mark.at) < now.getTime() - ORPHAN_MARK_MS) cleared.push(mark.sortKey);
      continue;
    }
    for (const level of ["slot", "day"] as const) {
      const start = bucketOf(level, ms(mark.publishedAt)).start;
      const bucket = byBucket.get(`${level}|${start}`) ?? { level, start, marks: [], terms: new Set<string>() };
      bucket.marks.push(mark);
      for (const term of articleSearchTerms(article)) bucket.terms.add(term);
      byBucket.set(`${level}|${start}`, bucket);
    }
  }
  // A mark is folded when both its buckets took its terms.
  const held = new Map<string, number>();
  for (const bucket of byBucket.values()) {
    const outcome = await deps.store.search.addTerms(bucket.level, bucket.start, [...bucket.terms], bucket.marks.length);
    if (outcome === "added") for (const mark of bucket.marks) held.set(mark.sortKey, (held.get(mark.sortKey) ?? 0) + 1);
  }
  const folded = [...held].filter(([, levels]) => levels === 2).map(([sortKey]) => sortKey);
  await deps.store.search.clearLateMarks([...cleared, ...folded]);
  return folded.length;
}

/**
 * Builds the search index up to the buckets closed at `deps.now()`: the slots digested so far
 * are extended forward to the newest closed slot, then back towards the oldest article (a table
 * older than the index), a day at a time, reading at most `maxArticles` articles; each day whose
 * slots are all digested gets its day digest; then late marks are folded in. The digested slots
 * stay one unbroken span, so the next build continues from its ends. Idempotent: digests are
 * written only where none is, and a concurrent build's writes win.
 */
export async function buildSearchIndex(deps: PipelineDeps, maxArticles = SEARCH_BUILD_ARTICLES): Promise<SearchIndexBuild> {
  const now = deps.now();
  const summary: SearchIndexBuild = { slots: 0, days: 0, articles: 0, folded: 0, more: false };
  const closedEnd = ms(bucketOf("slot", closedBefore(now)).start);
  const oldestArticle = await deps.store.search.oldestArticle();
  if (oldestArticle !== null) {
    const built = await deps.store.search.builtSlots();
    const bottom = ms(bucketOf("day", ms(oldestArticle)).start);
    let covered =
      built === null ? { from: closedEnd, to: closedEnd } : { from: ms(built.oldest.start), to: ms(built.newest.end) };
    // Forward, oldest first, a day's slots at a time, so the span stays unbroken if the budget runs out.
    while (covered.to < closedEnd && summary.articles < maxArticles) {
      const day = bucketOf("day", covered.to);
      const from = covered.to;
      const to = Math.min(ms(day.end), closedEnd);
      const texts = await buildSlots(deps, from, to, summary);
      covered = { ...covered, to };
      if (ms(day.start) >= covered.from && to === ms(day.end))
        await buildDay(deps, day, summary, from === ms(day.start) ? texts : undefined);
    }
    // Back to the oldest article's day, newest first.
    while (covered.from > bottom && summary.articles < maxArticles) {
      const day = bucketOf("day", covered.from - 1);
      const to = covered.from;
      const texts = await buildSlots(deps, ms(day.start), to, summary);
      covered = { ...covered, from: ms(day.start) };
      if (ms(day.end) <= covered.to) await buildDay(deps, day, summary, to === ms(day.end) ? texts : undefined);
    }
    summary.more = covered.to < closedEnd || covered.from > bottom;
  }
  summary.folded = await foldLateMarks(deps, now);
  return summary;
}
