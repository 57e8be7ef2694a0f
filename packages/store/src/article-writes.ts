import type { Article, MatchExplanation } from "@eventwire/core";
import { articleItems } from "./article-items";
import type { ItemKey } from "./article-memberships";
import { keys } from "./keys";
import type { TransactItem } from "./transaction";

// The transaction items of an article that the event commits send with their decisions (and
// `putIfAbsent` alone): built here, beside the article repository, so every write of an article
// is found in the article files.

/**
 * The transaction items that store a new article: the article (only if it is new: the first
 * item holds the condition) and its text. `putIfAbsent` sends them alone; a match commit sends
 * them with the decision that placed the article.
 */
export function newArticleWrites(tableName: string, article: Article): TransactItem[] {
  const items = articleItems(article);
  return [
    { Put: { TableName: tableName, Item: items.summary, ConditionExpression: "attribute_not_exists(pk)" } },
    { Put: { TableName: tableName, Item: items.text } },
  ];
}

/**
 * The transaction item by which a stored off-theme article joins an event that claimed it, in
 * the theme's feeds from then on; only while it is still off-theme. It keeps the theme score it
 * was stored with; the explanation says why it joined.
 */
export function joinEventWrite(
  tableName: string,
  themeId: string,
  claimed: { articleId: string; eventId: string; explanation: MatchExplanation },
  judgement: ItemKey = keys.article(claimed.articleId),
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      // The item holding the theme's judgement: the article's, or its membership of the theme.
      Key: judgement,
      UpdateExpression:
        "SET onTheme = :true, eventId = :event, explanation = :explanation, gsi2pk = :themePk, gsi4pk = :eventPk, gsi4sk = gsi2sk",
      ConditionExpression: "attribute_exists(pk) AND onTheme = :false AND theme = :theme",
      ExpressionAttributeValues: {
        ":true": true,
        ":false": false,
        ":theme": themeId,
        ":event": claimed.eventId,
        ":explanation": claimed.explanation,
        ":themePk": keys.themeArticles(themeId),
        ":eventPk": keys.eventArticles(claimed.eventId),
      },
    },
  };
}

/**
 * The transaction item that moves an article from one event to another (its `eventId` and its
 * place in the event's article index), only while it is still in `from`.
 */
export function moveArticleWrite(
  tableName: string,
  moves: { from: string; to: string },
  articleId: string,
  judgement: ItemKey = keys.article(articleId),
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: judgement,
      UpdateExpression: "SET eventId = :to, gsi4pk = :partition",
      ConditionExpression: "eventId = :from",
      ExpressionAttributeValues: { ":to": moves.to, ":from": moves.from, ":partition": keys.eventArticles(moves.to) },
    },
  };
}
