import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type DynamoConnection = {
  /** Set for DynamoDB Local (http://127.0.0.1:PORT); unset on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /**
   * Total attempts per request, the first included (default 6). The SDK's standard retry mode
   * retries throttling (ProvisionedThroughputExceeded, ThrottlingException), 5xx answers and
   * network errors, backing off exponentially with full jitter (base 100 ms, at most 20 s).
   */
  maxAttempts?: number | undefined;
};

export type DynamoClients = {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
};

/** Creates the low-level and document clients for a connection. */
export function createDynamoClients(connection: DynamoConnection): DynamoClients {
  const local = connection.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: connection.region ?? "us-east-1",
    maxAttempts: connection.maxAttempts ?? 6,
    retryMode: "standard",
    // An attempt that hangs (a dropped connection, say) is abandoned and retried rather than
    // waited on for ever; DynamoDB answers in milliseconds, DynamoDB Local under load in seconds.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(local
      ? {
          endpoint: connection.endpoint,
          // DynamoDB Local accepts any credentials; fixed ones keep a developer's AWS profile
          // out of local runs.
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, doc };
}
