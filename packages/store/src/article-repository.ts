import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Article } from "@eventwire/core";
import { type Item, isConditionFailure, type Page, type PageKey, pickFields, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

const ARTICLE_FIELDS = [
  "id",
  "url",
  "guid",
  "sourceId",
  "sourceTitle",
  "title",
  "summary",
  "text",
  "author",
  "language",
  "publishedAt",
  "dateInferred",
  "fetchedAt",
  "theme",
  "onTheme",
  "themeScore",
  "contentHash",
] as const satisfies readonly (keyof Article)[];

export type ArticleRepository = ReturnType<typeof createArticleRepository>;

export type PageRequest = { limit: number; after?: PageKey | null | undefined };

function toItem(article: Article): Item {
  const time = keys.byTime(article.publishedAt, article.id);
  return {
    ...keys.article(article.id),
    gsi1pk: keys.articleCollection,
    gsi1sk: time,
    ...(article.onTheme ? { gsi2pk: keys.themeArticles(article.theme), gsi2sk: time } : {}),
    gsi3pk: keys.sourceArticles(article.sourceId),
    gsi3sk: time,
    type: ENTITY.article,
    schemaVersion: SCHEMA_VERSION,
    ...article,
  };
}

/** Normalised articles. Ids are deterministic, so every write is conditional and a repeat is a no-op. */
export function createArticleRepository(doc: DynamoDBDocumentClient, tableName: string) {
  async function queryNewest(index: "gsi1" | "gsi2" | "gsi3", partition: string, request: PageRequest): Promise<Page<Article>> {
    const result = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk`,
        ExpressionAttributeValues: { ":pk": partition },
        ScanIndexForward: false,
        Limit: request.limit,
        ExclusiveStartKey: request.after ?? undefined,
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => pickFields<Article>(item, ARTICLE_FIELDS)),
      nextKey: toPageKey(result.LastEvaluatedKey),
    };
  }

  return {
    /** Stores the article unless its id is already stored; says which happened. */
    async putIfAbsent(article: Article): Promise<"created" | "exists"> {
      try {
        await doc.send(
          new PutCommand({ TableName: tableName, Item: toItem(article), ConditionExpression: "attribute_not_exists(pk)" }),
        );
        return "created";
      } catch (error) {
        if (isConditionFailure(error)) return "exists";
        throw error;
      }
    },

    async get(id: string): Promise<Article | null> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.article(id) }));
      return result.Item ? pickFields<Article>(result.Item, ARTICLE_FIELDS) : null;
    },

    /** Every article, newest first. */
    listNewest(request: PageRequest): Promise<Page<Article>> {
      return queryNewest("gsi1", keys.articleCollection, request);
    },

    /** On-theme articles of one theme, newest first. */
    listByTheme(themeId: string, request: PageRequest): Promise<Page<Article>> {
      return queryNewest("gsi2", keys.themeArticles(themeId), request);
    },

    /** Articles of one source, newest first. */
    listBySource(sourceId: string, request: PageRequest): Promise<Page<Article>> {
      return queryNewest("gsi3", keys.sourceArticles(sourceId), request);
    },
  };
}
