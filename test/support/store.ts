import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients, createStore, type DynamoClients, ensureTable, type Store } from "@eventwire/store";
import { inject } from "vitest";

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
