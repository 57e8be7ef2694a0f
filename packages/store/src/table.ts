/**
 * The one DynamoDB table, defined once. The local runner creates it from `createTableInput`,
 * and infra/ declares it from `sstDynamoArgs`, so the two cannot drift apart.
 *
 * This module imports nothing at run time: infra/ loads it inside SST's own config bundle.
 */
export const TABLE_SCHEMA = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds after which DynamoDB may delete the item (delivery attempts, for one). */
  ttlAttribute: "expiresAt",
  globalIndexes: {
    /** Collections in order: every article by time; every source. */
    gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    /** A theme's on-theme articles by time (the feeds), its off-theme ones, its events by last seen. */
    gsi2: { partitionKey: "gsi2pk", sortKey: "gsi2sk" },
    /** Articles of one source by time. */
    gsi3: { partitionKey: "gsi3pk", sortKey: "gsi3sk" },
    /** Articles of one event by time. */
    gsi4: { partitionKey: "gsi4pk", sortKey: "gsi4sk" },
  },
} as const;

export type IndexName = keyof typeof TABLE_SCHEMA.globalIndexes;

/** Version written on every item, so later code can tell old shapes from new. */
export const SCHEMA_VERSION = 1;

/** Every attribute that takes part in a key: all strings. */
export function keyAttributes(): string[] {
  const names: string[] = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey];
  for (const index of Object.values(TABLE_SCHEMA.globalIndexes)) {
    names.push(index.partitionKey, index.sortKey);
  }
  return names;
}

type KeySchema = { AttributeName: string; KeyType: "HASH" | "RANGE" }[];

function keySchema(partitionKey: string, sortKey: string): KeySchema {
  return [
    { AttributeName: partitionKey, KeyType: "HASH" },
    { AttributeName: sortKey, KeyType: "RANGE" },
  ];
}

/** The definition of one global index, as CreateTable and UpdateTable take it. */
export function globalIndexInput(name: IndexName) {
  const index = TABLE_SCHEMA.globalIndexes[name];
  return {
    IndexName: name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: "ALL" as const },
  };
}

/** The CreateTable request for this schema (on-demand billing). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: keyAttributes().map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
    KeySchema: keySchema(TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey),
    GlobalSecondaryIndexes: (Object.keys(TABLE_SCHEMA.globalIndexes) as IndexName[]).map(globalIndexInput),
  };
}

/** The arguments of `sst.aws.Dynamo` for this schema. */
export function sstDynamoArgs() {
  const fields: Record<string, "string"> = {};
  for (const name of keyAttributes()) fields[name] = "string";
  const globalIndexes: Record<string, { hashKey: string; rangeKey: string; projection: "all" }> = {};
  for (const [name, index] of Object.entries(TABLE_SCHEMA.globalIndexes)) {
    globalIndexes[name] = { hashKey: index.partitionKey, rangeKey: index.sortKey, projection: "all" };
  }
  return {
    fields,
    primaryIndex: { hashKey: TABLE_SCHEMA.partitionKey, rangeKey: TABLE_SCHEMA.sortKey },
    globalIndexes,
    ttl: TABLE_SCHEMA.ttlAttribute,
  };
}
