import { type Article, type NormalizeContext, normalizeFeedItem, type RawFeedItem } from "@eventwire/core";
import { parseFeed } from "@eventwire/pipeline";
import type { Store } from "@eventwire/store";
import { readRecords, recordToArticle } from "../../functions/eval-files";
import { fixture } from "./fixtures";

const CONTEXT: NormalizeContext = {
  sourceId: "src",
  sourceTitle: "News Example",
  baseUrl: "https://news.example/",
  feedLanguage: "en",
  fetchedAt: new Date("2026-05-04T10:00:00Z"),
  theme: "isis-syria",
};

/** An article as ingest would store it, from a feed item written for the test. */
export function testArticle(item: RawFeedItem, context: Partial<NormalizeContext> = {}): Article {
  const result = normalizeFeedItem(item, { ...CONTEXT, ...context });
  if (!result.ok) throw new Error(result.reason);
  return result.article;
}

/**
 * Stores the items of fixture feeds as ingest would normalise them, marked on-theme, bypassing
 * the matcher: for tests of what is served, not of what the matcher decides.
 */
export async function storeFixtureFeedsOnTheme(store: Store, names: readonly string[]): Promise<Article[]> {
  const stored: Article[] = [];
  for (const name of names) {
    const parsed = await parseFeed(fixture(`feeds/${name}`));
    if (!parsed.ok) throw new Error(`fixture ${name}: ${parsed.message}`);
    for (const item of parsed.feed.items) {
      const article = {
        ...testArticle(item, {
          sourceId: name,
          sourceTitle: parsed.feed.title,
          baseUrl: parsed.feed.link ?? "https://fixture.example/",
        }),
        onTheme: true,
      };
      await store.articles.putIfAbsent(article);
      stored.push(article);
    }
  }
  return stored;
}

/** Every record of a fixture file under test/fixtures/articles, as stored articles in stream order. */
export function fixtureStream(name: string): Article[] {
  return readRecords(new URL(`../fixtures/articles/${name}`, import.meta.url).pathname)
    .map((record) => recordToArticle(record, "isis-syria", new Date("2026-03-05T00:00:00Z")))
    .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || (a.guid ?? "").localeCompare(b.guid ?? ""));
}

/** A fixture file's articles by the last part of their URL ("dam-battle"). */
export function fixturesByName(name: string): Map<string, Article> {
  return new Map(fixtureStream(name).map((article) => [(article.url ?? "").split("/").at(-1) ?? article.id, article]));
}

/** One article of `fixturesByName`, or an error naming the missing one. */
export function pickFixture(articles: ReadonlyMap<string, Article>, short: string): Article {
  const article = articles.get(short);
  if (article === undefined) throw new Error(`no fixture article ${short}`);
  return article;
}
