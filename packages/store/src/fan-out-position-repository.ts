import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { updateWhen } from "./conditional-update";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

/** How far each theme's change log has been turned into webhook messages. */
export type FanOutPositionRepository = {
  /** The last change of the theme turned into messages (0 before any). */
  fanOutPosition(themeId: string): Promise<number>;
  /** Moves the fan-out position from `from` to `to`; false when another dispatcher moved it first. */
  advanceFanOut(themeId: string, from: number, to: number): Promise<boolean>;
};

/** The per-theme fan-out position, one item a theme, moved only from where its mover read it. */
export function createFanOutPositionRepository(doc: DynamoDBDocumentClient, tableName: string): FanOutPositionRepository {
  return {
    async fanOutPosition(themeId) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.fanOut(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    async advanceFanOut(themeId, from, to) {
      const item = await updateWhen(
        doc,
        tableName,
        keys.fanOut(themeId),
        { seq: to, type: ENTITY.fanOut, schemaVersion: SCHEMA_VERSION },
        from === 0
          ? { expression: "attribute_not_exists(pk) OR seq = :from", values: { ":from": from } }
          : { expression: "seq = :from", values: { ":from": from } },
      );
      return item !== null;
    },
  };
}
