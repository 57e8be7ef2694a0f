import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item, isConditionFailure } from "./items";

/** A condition expression with the names and values it uses. */
export type Condition = { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };

/** An update of the listed attributes: SET those with a value, REMOVE those set to null. */
function setOrRemove(fields: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(fields).forEach(([name, value], index) => {
    names[`#f${index}`] = name;
    if (value === null || value === undefined) removes.push(`#f${index}`);
    else {
      values[`:f${index}`] = value;
      sets.push(`#f${index} = :f${index}`);
    }
  });
  const expression = [sets.length > 0 ? `SET ${sets.join(", ")}` : "", removes.length > 0 ? `REMOVE ${removes.join(", ")}` : ""]
    .filter((part) => part !== "")
    .join(" ");
  return { expression, names, values };
}

/** The parts of an update of `fields` (null removes one) of the item at `key`, made only under `condition`. */
export function updateInput(key: Record<string, string>, fields: Record<string, unknown>, condition: Condition) {
  const { expression, names, values } = setOrRemove(fields);
  return {
    Key: key,
    UpdateExpression: expression,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: { ...names, ...condition.names },
    ExpressionAttributeValues:
      Object.keys(values).length + Object.keys(condition.values ?? {}).length > 0
        ? { ...values, ...condition.values }
        : undefined,
  };
}

/** Sends one prepared update; the item as it is now, or null when its condition failed. */
export async function sendUpdate(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: ReturnType<typeof updateInput>,
): Promise<Item | null> {
  try {
    const result = await doc.send(new UpdateCommand({ TableName: tableName, ...input, ReturnValues: "ALL_NEW" }));
    return result.Attributes ?? null;
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/** Updates fields of an item under a condition; the item as it is now, or null when the condition failed. */
export async function updateWhen(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  fields: Record<string, unknown>,
  condition: Condition,
): Promise<Item | null> {
  return sendUpdate(doc, tableName, updateInput(key, fields, condition));
}
