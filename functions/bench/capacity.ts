import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE_SCHEMA } from "@eventwire/store/table";

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/**
 * Write capacity units a client's writes cost, as DynamoDB bills them, counted since the meter
 * was put on; and the bytes the items they touched grew by (what the table holds more).
 */
export type WriteMeter = { readonly units: number; readonly bytesAdded: number };

const KB = 1024;

function attributeSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "string") return Buffer.byteLength(value);
  // A number takes about a byte per two significant digits, plus one.
  if (typeof value === "number") return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, "").length / 2) + 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const member of value) size += attributeSize(member);
    return size;
  }
  // Lists and maps: 3 bytes, and a byte an element beside the element itself.
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, member) => sum + 1 + attributeSize(member), 0);
  if (typeof value === "object")
    return (
      3 + Object.entries(value).reduce((sum, [name, member]) => sum + 1 + Buffer.byteLength(name) + attributeSize(member), 0)
    );
  return 0;
}

/** An item's size as DynamoDB's sizing rules count it: attribute names and values. */
export function itemBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + attributeSize(value);
  return size;
}

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

/**
 * What one item's write costs: a unit a KB of the larger of its old and new versions (twice in
 * a transaction), and each global index it is in, all attributes projected, a write of that
 * size (two when the write moves it to another index key: a delete and a put).
 */
export function itemWriteUnits(before: Item | undefined, after: Item | undefined, transactional: boolean): number {
  const size = Math.max(before === undefined ? 0 : itemBytes(before), after === undefined ? 0 : itemBytes(after));
  let total = units(size) * (transactional ? 2 : 1);
  for (const index of Object.values(TABLE_SCHEMA.globalIndexes)) {
    const old = before?.[index.partitionKey] === undefined ? undefined : `${before[index.partitionKey]}|${before[index.sortKey]}`;
    const next = after?.[index.partitionKey] === undefined ? undefined : `${after[index.partitionKey]}|${after[index.sortKey]}`;
    if (old !== undefined && next !== undefined && old === next) total += units(size);
    else {
      if (old !== undefined) total += units(itemBytes(before as Item));
      if (next !== undefined) total += units(itemBytes(after as Item));
    }
  }
  return total;
}

/** The items a write request touches, and whether it is a transaction (ConditionChecks only read). */
function touchedKeys(command: string, input: Item): { keys: Key[]; transactional: boolean } {
  const keyOf = (item: unknown) => {
    const { pk, sk } = item as Key;
    return { pk, sk };
  };
  if (command === "PutItemCommand") return { keys: [keyOf(input.Item)], transactional: false };
  if (command === "UpdateItemCommand" || command === "DeleteItemCommand")
    return { keys: [keyOf(input.Key)], transactional: false };
  if (command === "BatchWriteItemCommand") {
    const requests = Object.values(input.RequestItems as Record<string, Item[]>).flat();
    return {
      keys: requests.map((request) =>
        keyOf((request.PutRequest as Item | undefined)?.Item ?? (request.DeleteRequest as Item).Key),
      ),
      transactional: false,
    };
  }
  if (command === "TransactWriteItemsCommand") {
    const keys: Key[] = [];
    for (const action of input.TransactItems as Item[]) {
      const put = action.Put as Item | undefined;
      const change = (action.Update ?? action.Delete) as Item | undefined;
      if (put !== undefined) keys.push(keyOf(put.Item));
      else if (change !== undefined) keys.push(keyOf(change.Key));
    }
    return { keys, transactional: true };
  }
  return { keys: [], transactional: false };
}

const keyText = (key: Key) => `${key.pk}\u0000${key.sk}`;

async function readItems(reader: DynamoDBDocumentClient, tableName: string, keys: readonly Key[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((key) => [keyText(key), key])).values()];
  for (let start = 0; start < unique.length; start += 100) {
    let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: { Keys: unique.slice(start, start + 100), ConsistentRead: true },
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const page = await reader.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of page.Responses?.[tableName] ?? []) found.set(keyText(item as Key), item);
      request = page.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/**
 * Counts what `client`'s writes would be billed on DynamoDB. DynamoDB Local's own
 * `ConsumedCapacity` cannot be used: it reports a transaction at two units an item whatever the
 * item's size. So the meter reads every item a write touches just before and just after it
 * (through `reader`; reads pass the meter untouched) and applies the documented sizing rules
 * (`itemWriteUnits`). The reads slow the writes down: time nothing while a meter is on. A write
 * that fails, or an item a batch hands back unprocessed, costs nothing here (DynamoDB bills some
 * failed writes too: a floor, not a ceiling).
 */
export function meterWrites(client: DynamoDBClient, reader: DynamoDBDocumentClient, tableName: string): WriteMeter {
  let billed = 0;
  let bytesAdded = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const { keys, transactional } = touchedKeys(String(context.commandName), args.input as Item);
      if (keys.length === 0) return next(args);
      const before = await readItems(reader, tableName, keys);
      const result = await next(args);
      const after = await readItems(reader, tableName, keys);
      // A batch's unprocessed items were not written: the caller sends them again, counted then.
      const left = (result.output as { UnprocessedItems?: Item }).UnprocessedItems;
      const unprocessed = new Set(
        left === undefined ? [] : touchedKeys("BatchWriteItemCommand", { RequestItems: left }).keys.map(keyText),
      );
      for (const key of keys) {
        if (unprocessed.has(keyText(key))) continue;
        const [old, next] = [before.get(keyText(key)), after.get(keyText(key))];
        billed += itemWriteUnits(old, next, transactional);
        bytesAdded += (next === undefined ? 0 : itemBytes(next)) - (old === undefined ? 0 : itemBytes(old));
      }
      return result;
    },
    { step: "initialize", name: "benchWriteMeter" },
  );
  return {
    get units() {
      return billed;
    },
    get bytesAdded() {
      return bytesAdded;
    },
  };
}
