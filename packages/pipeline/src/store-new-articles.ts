import { type Article, byPublication, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { withFullText } from "./extract-full-text";
import { judgeByThemes, judgedBy } from "./judge-by-themes";

export const DEFAULT_MAX_ITEMS_PER_FETCH = 500;
/** How many of a source's latest articles a re-published item is compared with. */
const REPUBLISH_WINDOW = 200;

/**
 * Drops new articles whose content (title and text) a recent article of the same source
 * already has, or an earlier item of this feed: a re-published item or one given a new GUID.
 * Items with no text are kept, as different reports may share a bare headline.
 */
async function withoutRepublished(deps: PipelineDeps, source: Source, fresh: Article[]) {
  if (fresh.length === 0) return { kept: fresh, republished: 0 };
  const recent = await deps.store.articles.listBySource(source.id, { limit: REPUBLISH_WINDOW });
  const known = new Set(recent.items.map((article) => article.contentHash));
  const kept: Article[] = [];
  for (const article of fresh) {
    if (article.text !== "" && known.has(article.contentHash)) continue;
    if (article.text !== "") known.add(article.contentHash);
    kept.push(article);
  }
  return { kept, republished: fresh.length - kept.length };
}

/**
 * Stores what is new in the feed and updates what was edited. New articles are capped at
 * `maxItemsPerFetch`, newest first (the rest wait for the next poll), and matched oldest
 * first (the matcher works in publication order), by each theme in turn (`judgeByThemes`): the
 * feed is fetched, deduplicated and its full texts read once. Stored articles of the feed that a
 * theme has not judged yet are judged by it as stored. An item DynamoDB refuses is skipped; any
 * other error throws.
 */
export async function storeNew(deps: PipelineDeps, source: Source, articles: Article[], fetchedAt: Date) {
  const storedHashes = await deps.store.articles.findStoredHashes(articles.map((article) => article.id));
  // An edit is the same source's item with new content. Another feed linking the same page with
  // its own summary is no edit: it would rewrite the article on every poll of either feed.
  const edited = articles.filter((article) => {
    const stored = storedHashes.get(article.id);
    return stored !== undefined && stored.sourceId === source.id && stored.contentHash !== article.contentHash;
  });
  const { kept, republished } = await withoutRepublished(
    deps,
    source,
    articles.filter((article) => !storedHashes.has(article.id)),
  );
  const cap = deps.config.maxItemsPerFetch ?? DEFAULT_MAX_ITEMS_PER_FETCH;
  const newestFirst = [...kept].sort((a, b) => byPublication(b, a));
  const batch = newestFirst.slice(0, cap).sort(byPublication);
  // Stored articles some theme has not judged: read as stored (their text included), bounded too.
  const unjudged = articles.filter((article) => {
    const stored = storedHashes.get(article.id);
    return stored !== undefined && deps.config.themes.some((theme) => !judgedBy(stored, theme.id));
  });
  const earlier = unjudged.length === 0 ? [] : await deps.store.articles.getFull(unjudged.slice(0, cap).map((a) => a.id));
  // Edits past the cap wait too, so the fetch is not complete until they are applied.
  const deferred = newestFirst.length - batch.length + Math.max(0, edited.length - cap) + Math.max(0, unjudged.length - cap);

  const judged = await judgeByThemes(deps, source, await withFullText(deps, source, batch), earlier, storedHashes);
  let updated = 0;
  // Edits are bounded like new articles: a feed rewriting every item costs a few fetches.
  for (const article of await withFullText(deps, source, edited.slice(0, cap))) {
    const stored = storedHashes.get(article.id) as { contentHash: string; publishedAt: string; memberships: readonly string[] };
    // The copies in its memberships are edited too, those this fetch's judging added included.
    const memberships = [...stored.memberships, ...(judged.added.get(article.id) ?? [])];
    const edit = { ...article, publishedAt: stored.publishedAt, updatedAt: fetchedAt.toISOString(), memberships };
    if ((await deps.store.articles.updateContent(edit, stored.contentHash)) === "updated") updated += 1;
  }
  const unchanged = articles.length - kept.length - republished - edited.length;
  return {
    stored: judged.stored,
    skipped: judged.skipped,
    updated,
    deferred,
    duplicates: unchanged + republished + judged.lost,
  };
}
