/**
 * Per term (a stem, as the matcher reads text), the words the event's articles wrote it as, and
 * in how many articles each: "identifi" is shown as "identified". Matching never reads them.
 */
export type TermWords = Map<string, ReadonlyMap<string, number>>;

/** Words kept per term: enough to tell the usual form from a rare one. */
const WORDS_PER_TERM = 3;

/**
 * An event's term words after one more article: the article's word for each term counted once
 * more, kept for the terms the event holds (`kept`) and no others. The inner maps are shared
 * with `previous`, never changed.
 */
export function addTermWords(
  previous: TermWords | undefined,
  article: ReadonlyMap<string, string>,
  kept: Iterable<string>,
): TermWords {
  const next: TermWords = new Map();
  for (const term of kept) {
    if (next.has(term)) continue;
    const seen = previous?.get(term);
    const word = article.get(term);
    if (word === undefined) {
      if (seen !== undefined) next.set(term, seen);
      continue;
    }
    const counts = new Map(seen);
    counts.set(word, (counts.get(word) ?? 0) + 1);
    // The rarest goes, the newest of equals first (a new word starts at one).
    next.set(term, counts.size > WORDS_PER_TERM ? new Map(rankWords(counts).slice(0, WORDS_PER_TERM)) : counts);
  }
  return next;
}

/** Words by count, most used first; equals keep their order. */
function rankWords(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** The word a term is shown as: the one most of the event's articles used; the term itself if none was kept. */
export function termWord(words: TermWords | undefined, term: string): string {
  const counts = words?.get(term);
  return counts === undefined ? term : (rankWords(counts)[0]?.[0] ?? term);
}
