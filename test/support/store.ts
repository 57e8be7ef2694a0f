import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients, createStore, type DynamoClients, ensureTable, type Store } from "@eventwire/store";
import { afterAll, inject } from "vitest";

export type TestStore = { store: Store; clients: DynamoClients; tableName: string; endpoint: string; drop(): Promise<void> };

/** A fresh table in the run's DynamoDB Local, named at random so test files never share data. */
export async function createTestStore(): Promise<TestStore> {
  const endpoint = inject("dynamoEndpoint");
  const tableName = `test-${randomBytes(6).toString("hex")}`;
  const clients = createDynamoClients({ endpoint });
  await ensureTable(clients.client, tableName);
  return {
    store: createStore(clients, tableName),
    clients,
    tableName,
    endpoint,
    async drop() {
      await clients.client.send(new DeleteTableCommand({ TableName: tableName }));
      clients.client.destroy();
    },
  };
}

/** `freshTable()` gives a new table for a test; the file's tables are dropped once its tests are done. */
export function useTestTables(): { freshTable: () => Promise<TestStore> } {
  const tables: TestStore[] = [];
  afterAll(async () => {
    for (const table of tables) await table.drop();
  });
  return {
    async freshTable() {
      const table = await createTestStore();
      tables.push(table);
      return table;
    },
  };
}

/** What SST sets on a deployed function linked to `table` (its link), and the AWS settings that reach DynamoDB Local. */
export function linkedTableEnvironment(table: TestStore): Record<string, string> {
  return {
    SST_RESOURCE_App: JSON.stringify({ name: "eventwire", stage: "test" }),
    SST_RESOURCE_Table: JSON.stringify({ name: table.tableName, type: "sst.aws.Dynamo" }),
    DYNAMODB_ENDPOINT: table.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
}
