import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Article, ArticleSummary } from "@eventwire/core";
import { judgedThemes, membershipItem, summaryFromItem } from "./article-items";
import { batchGetItems, type Item } from "./items";
import { ENTITY, keys } from "./keys";
import type { TransactItem } from "./transaction";

// An article's judgements by its themes: the first theme's inline on the article item, each
// further one a membership item (see keys.ts). Everything that must tell the two apart, or read
// one theme's judgement of articles, is here.

/** The table key of an item. */
export type ItemKey = { pk: string; sk: string };

/**
 * The transaction items by which a further theme's judgement of a stored article is stored: the
 * membership (only if that theme has not judged the article yet: the first item holds the
 * condition) and the theme added to the article item's `judged`, only while the article is
 * stored with the content the membership copies (an edit in between would leave a stale copy)
 * and holds another theme's judgement inline.
 */
export function membershipWrites(tableName: string, article: Article): TransactItem[] {
  return [
    { Put: { TableName: tableName, Item: membershipItem(article), ConditionExpression: "attribute_not_exists(pk)" } },
    {
      Update: {
        TableName: tableName,
        Key: keys.article(article.id),
        UpdateExpression: "ADD judged :theme",
        // Not the theme the article item holds inline: two workers judging in different theme
        // orders (a rollout) would otherwise list the article twice in that theme.
        ConditionExpression: "attribute_exists(pk) AND contentHash = :hash AND #inline <> :themeId",
        ExpressionAttributeNames: { "#inline": "theme" },
        ExpressionAttributeValues: {
          ":theme": new Set([article.theme]),
          ":themeId": article.theme,
          ":hash": article.contentHash,
        },
      },
    },
  ];
}

/**
 * The transaction items that give an article's memberships (of these themes) an edit's listing
 * fields, as the article item gets them.
 */
export function membershipEditWrites(
  tableName: string,
  edited: Pick<Article, "id" | "title" | "summary" | "contentHash"> & { updatedAt: string },
  themeIds: readonly string[],
): TransactItem[] {
  return themeIds.map((themeId) => ({
    Update: {
      TableName: tableName,
      Key: keys.membership(edited.id, themeId),
      UpdateExpression: "SET title = :title, summary = :summary, contentHash = :hash, updatedAt = :at",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: {
        ":title": edited.title,
        ":summary": edited.summary,
        ":hash": edited.contentHash,
        ":at": edited.updatedAt,
      },
    },
  }));
}

/**
 * The condition that an article item names exactly these membership themes in `judged`: an edit
 * made while another theme's membership was being added would miss that copy, so it waits for the
 * next poll instead. `judged` only ever grows, so its size says whether it changed.
 */
export function sameMemberships(themeIds: readonly string[]): { expression: string; values: Record<string, number> } {
  return themeIds.length === 0
    ? { expression: "attribute_not_exists(judged)", values: {} }
    : { expression: "size(judged) = :memberships", values: { ":memberships": themeIds.length } };
}

/** The membership themes of an article item (its `judged` set), in a stable order. */
export function membershipThemes(item: Item): string[] {
  const themes = judgedThemes(item);
  themes.delete(String(item.theme));
  return [...themes].sort();
}

/**
 * Which item holds each article's judgement by the theme: the article item when the theme is its
 * own, else the theme's membership. One small read of the article items (an article's own theme
 * never changes); an id not stored keeps the article item's key (its write then fails its condition).
 */
export async function judgementKeys(
  doc: DynamoDBDocumentClient,
  tableName: string,
  themeId: string,
  articleIds: readonly string[],
): Promise<Map<string, ItemKey>> {
  const unique = [...new Set(articleIds)];
  const items = await batchGetItems(
    doc,
    tableName,
    unique.map((id) => keys.article(id)),
    { projection: "id, theme" },
  );
  const own = new Map(items.map((item) => [String(item.id), String(item.theme) === themeId]));
  return new Map(unique.map((id) => [id, own.get(id) === false ? keys.membership(id, themeId) : keys.article(id)]));
}

/**
 * Article items read as one theme's judgements: the item itself where the theme is its own, the
 * theme's membership where another theme judged it first, null where the theme has not judged it.
 * Memberships are read in one batch (none when every article is the theme's own).
 */
export async function readAsTheme(
  doc: DynamoDBDocumentClient,
  tableName: string,
  themeId: string,
  articleItems: readonly Item[],
  options: { consistent?: boolean } = {},
): Promise<(ArticleSummary | null)[]> {
  const wanted = articleItems.filter((item) => String(item.theme) !== themeId && judgedThemes(item).has(themeId));
  const memberships =
    wanted.length === 0
      ? []
      : await batchGetItems(
          doc,
          tableName,
          wanted.map((item) => keys.membership(String(item.id), themeId)),
          { consistent: options.consistent ?? false },
        );
  const found = new Map(memberships.map((item) => [String(item.id), summaryFromItem(item)]));
  return articleItems.map((item) =>
    String(item.theme) === themeId ? summaryFromItem(item) : (found.get(String(item.id)) ?? null),
  );
}

/** The judgements among the items of an article's partition: its own theme's first, then its memberships by theme id. */
export function judgementsOf(partition: readonly Item[]): ArticleSummary[] {
  const own = partition.filter((item) => item.type === ENTITY.article);
  const further = partition
    .filter((item) => item.type === ENTITY.membership)
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
  return [...own, ...further].map(summaryFromItem);
}
