import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, globalIndexInput, type IndexName, keyAttributes, TABLE_SCHEMA } from "./table";

export type EnsureTableResult = { created: boolean; indexesAdded: string[] };

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | null> {
  try {
    const result = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return result.Table ?? null;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw error;
  }
}

async function waitForActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const table = await describe(client, tableName);
    const busy =
      table?.TableStatus !== "ACTIVE" || (table.GlobalSecondaryIndexes ?? []).some((index) => index.IndexStatus !== "ACTIVE");
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within 30 s`);
}

/**
 * Creates the table if it is missing, adds any global index the schema gained since the table
 * was made, and turns on TTL. Safe to call at every start.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<EnsureTableResult> {
  let table = await describe(client, tableName);
  let created = false;
  if (table === null) {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    created = true;
    table = await describe(client, tableName);
  }
  const present = new Set((table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = (Object.keys(TABLE_SCHEMA.globalIndexes) as IndexName[]).filter((name) => !present.has(name));
  for (const name of missing) {
    // DynamoDB adds one index per UpdateTable call.
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributes().map((attribute) => ({ AttributeName: attribute, AttributeType: "S" })),
        GlobalSecondaryIndexUpdates: [{ Create: globalIndexInput(name) }],
      }),
    );
    await waitForActive(client, tableName);
  }
  if (created) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
      }),
    );
  }
  return { created, indexesAdded: missing };
}
