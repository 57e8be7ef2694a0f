import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Log } from "@eventwire/core";
import { errorMessage } from "@eventwire/core";

let client: SQSClient | undefined;

/**
 * Asks the dispatcher to run now (after an ingest stored articles). Losing this message loses
 * nothing: the outbox is in the table and the dispatch schedule reads it within a minute.
 */
export async function notifyDispatcher(queueUrl: string, log: Log, reason: Record<string, unknown>): Promise<void> {
  client ??= new SQSClient({});
  try {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ dispatch: true, ...reason }) }));
  } catch (error) {
    log.warn("could not ask the dispatcher to run; its schedule will", { error: errorMessage(error) });
  }
}
