import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Log } from "@eventwire/core";
import { errorMessage } from "@eventwire/core";

let client: SQSClient | undefined;

/** Sends one notice to a queue; a failure is logged as `unsent` says, never thrown. */
async function notifyQueue(queueUrl: string, log: Log, body: Record<string, unknown>, unsent: string): Promise<void> {
  client ??= new SQSClient({});
  try {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
  } catch (error) {
    log.warn(unsent, { error: errorMessage(error) });
  }
}

/**
 * Asks the dispatcher to run now (after an ingest stored articles). Losing this message loses
 * nothing: the outbox is in the table and the dispatch schedule reads it within a minute.
 */
export function notifyDispatcher(queueUrl: string, log: Log, reason: Record<string, unknown>): Promise<void> {
  return notifyQueue(queueUrl, log, { dispatch: true, ...reason }, "could not ask the dispatcher to run; its schedule will");
}

/**
 * Asks for a maintenance pass now (ingest stored many articles). Losing this message loses
 * nothing either: the maintenance schedule runs a pass within the hour.
 */
export function notifyMaintainer(queueUrl: string, log: Log, reason: Record<string, unknown>): Promise<void> {
  return notifyQueue(
    queueUrl,
    log,
    { maintain: true, ...reason },
    "could not ask for a maintenance pass; its schedule will run one",
  );
}
