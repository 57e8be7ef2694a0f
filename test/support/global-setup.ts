import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "../../functions/local/dynamo-local";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * One DynamoDB Local (in memory) for the whole run; each test file makes its own table. Fails
 * with a message naming the missing prerequisite when Java 17+ is not there.
 */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal({ dataDir: null });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
