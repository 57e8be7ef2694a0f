import { dispatchQueue } from "./dispatch";
import { DEAD_LETTER_QUEUE, lambdaFunction, QUEUE_CONSUMER_ACTIONS } from "./functions";
import { maintainQueue } from "./maintain";
import { table } from "./table";

/** Messages the worker failed on this many times move to the dead-letter queue. */
export const INGEST_RECEIVES_BEFORE_DLQ = 3;

/** Ingest messages the worker could not process, kept 14 days for a look. */
export const ingestDlq = new sst.aws.Queue("IngestDeadLetters", DEAD_LETTER_QUEUE);

/**
 * One message per due source (the schedule sends them); the worker ingests one source per
 * message. A standard queue: matching for a theme is serialised by the matcher's optimistic
 * concurrency in the table, not by message order (docs/fetch-policy.md, "Scale-out").
 */
export const ingestQueue = new sst.aws.Queue("IngestQueue", {
  // Longer than the worker's timeout, so a message is never handed out twice while in work.
  visibilityTimeout: "6 minutes",
  dlq: { queue: ingestDlq.arn, retry: INGEST_RECEIVES_BEFORE_DLQ },
});

/**
 * The ingest worker: one source per message of the ingest queue, and the admin routes' runs,
 * which the API invokes it for synchronously (so the API's bundle carries no feed parsing).
 * Declared as its own function, not through `subscribe`, so the API can link it by name.
 */
export const ingestWorker = new sst.aws.Function("IngestWorker", {
  ...lambdaFunction("ingest-worker"),
  // One feed: its fetch deadline, up to the per-fetch cap of new articles, and full text.
  timeout: "5 minutes",
  // It stores articles, then tells the dispatcher through its queue, and asks for a maintenance
  // pass through its own once enough have been stored.
  link: [table, dispatchQueue, maintainQueue],
  // Subscribing by ARN grants nothing: what the queue's poller needs to hand messages over.
  permissions: [{ actions: [...QUEUE_CONSUMER_ACTIONS], resources: [ingestQueue.arn] }],
});

ingestQueue.subscribe(ingestWorker.arn, { batch: { size: 1, partialResponses: true } });
