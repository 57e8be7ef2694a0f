import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Source } from "@eventwire/core";
import { type Item, isConditionFailure, pickFields } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll } from "./range-query";
import { SCHEMA_VERSION } from "./table";

const SOURCE_FIELDS = [
  "id",
  "url",
  "title",
  "enabled",
  "createdAt",
  "etag",
  "lastModified",
  "lastAttemptAt",
  "lastSuccessAt",
  "lastError",
  "consecutiveFailures",
  "intervalSeconds",
  "pollIntervalSeconds",
  "nextPollAt",
  "fullText",
] as const satisfies readonly (keyof Source)[];

/**
 * Fields a fetch attempt may change: its state, a permanent redirect's new `url` (the id stays,
 * so configured sources are still recognised), and `enabled` (a feed that is gone).
 */
export type SourceFetchUpdate = Partial<
  Pick<
    Source,
    | "title"
    | "url"
    | "enabled"
    | "etag"
    | "lastModified"
    | "lastAttemptAt"
    | "lastSuccessAt"
    | "lastError"
    | "consecutiveFailures"
    | "pollIntervalSeconds"
    | "nextPollAt"
  >
>;

/** Settings an operator may change on a source. */
export type SourceSettingsUpdate = Partial<Pick<Source, "enabled" | "fullText" | "intervalSeconds" | "nextPollAt">>;

/** A stored source; items written before a field existed get its default. */
function toSource(item: Item): Source {
  const source = pickFields<Source>(item, SOURCE_FIELDS);
  return { ...source, fullText: source.fullText === true };
}

/** Feed sources and their fetch state. */
export type SourceRepository = {
  /** One source, read with strong consistency, or null. */
  get(id: string): Promise<Source | null>;
  /** Adds a source unless one with the same id (the same canonical URL) exists. */
  add(source: Source): Promise<{ created: boolean; source: Source }>;
  /** Every source, oldest first. */
  list(): Promise<Source[]>;
  /**
   * Claims a poll of the source: sets `update` only if `nextPollAt` is still what the caller
   * read, so of two runs that both found the source due, exactly one polls it. False when
   * another run got there first (or the source is gone).
   */
  claimPoll(id: string, seenNextPollAt: string, update: SourceFetchUpdate): Promise<boolean>;
  /** Writes the outcome of a fetch attempt; refuses to resurrect a source that was removed. */
  recordFetch(id: string, update: SourceFetchUpdate): Promise<void>;
  /** Changes a source's settings; the source as it is now, or null when there is none. */
  updateSettings(id: string, update: SourceSettingsUpdate): Promise<Source | null>;
};

function toItem(source: Source): Item {
  return {
    ...keys.source(source.id),
    gsi1pk: keys.sourceCollection,
    gsi1sk: keys.byTime(source.createdAt, source.id),
    type: ENTITY.source,
    schemaVersion: SCHEMA_VERSION,
    ...source,
  };
}

/** Sources and their fetch state. */
export function createSourceRepository(doc: DynamoDBDocumentClient, tableName: string): SourceRepository {
  async function get(id: string): Promise<Source | null> {
    const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.source(id), ConsistentRead: true }));
    return result.Item ? toSource(result.Item) : null;
  }

  return {
    get,

    async add(source) {
      try {
        await doc.send(
          new PutCommand({ TableName: tableName, Item: toItem(source), ConditionExpression: "attribute_not_exists(pk)" }),
        );
        return { created: true, source };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await get(source.id);
        if (existing === null) throw new Error(`source ${source.id} vanished while being added`);
        return { created: false, source: existing };
      }
    },

    async list() {
      const items = await queryAll(doc, { tableName, index: "gsi1", partition: keys.sourceCollection });
      return items.map(toSource);
    },

    async claimPoll(id, seenNextPollAt, update) {
      try {
        await doc.send(
          updateCommand(id, update, {
            condition: "attribute_exists(pk) AND nextPollAt = :seen",
            values: { ":seen": seenNextPollAt },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async recordFetch(id, update) {
      await doc.send(updateCommand(id, update, { condition: "attribute_exists(pk)", values: {} }));
    },

    async updateSettings(id, update) {
      try {
        await doc.send(updateCommand(id, update, { condition: "attribute_exists(pk)", values: {} }));
      } catch (error) {
        if (isConditionFailure(error)) return null;
        throw error;
      }
      return get(id);
    },
  };

  /** SET the given fields, guarded by a condition (the source must at least still exist). */
  function updateCommand(
    id: string,
    update: SourceFetchUpdate | SourceSettingsUpdate,
    guard: { condition: string; values: Record<string, unknown> },
  ) {
    const entries = Object.entries(update).filter(([, value]) => value !== undefined);
    if (entries.length === 0) throw new Error("a source update needs at least one field");
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...guard.values };
    const sets = entries.map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    return new UpdateCommand({
      TableName: tableName,
      Key: keys.source(id),
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: guard.condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }
}
