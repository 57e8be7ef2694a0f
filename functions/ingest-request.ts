import * as z from "zod/mini";

// The direct invocations the ingest worker takes besides its queue's batches: what the API
// function sends for the admin routes, so that feed parsing stays out of the API's bundle.
// zod/mini, as in config.ts (which also sets its English messages).
const INGEST_REQUEST = z.discriminatedUnion("eventwire", [
  /** Ingest every due source now; the answer is the run's summary (IngestRunSummary). */
  z.strictObject({ eventwire: z.literal("ingest-run") }),
  /** Fetch one source now, due or not; the answer is its result (IngestSourceResult), or null when there is no such source. */
  z.strictObject({
    eventwire: z.literal("ingest-refresh"),
    sourceId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, "1 to 128 letters, digits, '_' or '-'")),
  }),
]);

export type IngestRequest = z.output<typeof INGEST_REQUEST>;

/** An event the ingest worker cannot take. */
class IngestRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IngestRequestError";
  }
}

/**
 * True for what Lambda's SQS trigger sends: an object with a `Records` array of SQS records,
 * each with its message id and body (anything else is refused as a request, naming the shapes).
 */
export function isQueueBatch(event: unknown): event is { Records: unknown[] } {
  if (typeof event !== "object" || event === null) return false;
  const { Records: records } = event as { Records?: unknown };
  // SNS and S3 events carry `Records` too: only SQS records are a batch of jobs.
  return (
    Array.isArray(records) &&
    records.every(
      (record) =>
        typeof record === "object" &&
        record !== null &&
        (record as { eventSource?: unknown }).eventSource === "aws:sqs" &&
        typeof (record as { messageId?: unknown }).messageId === "string" &&
        typeof (record as { body?: unknown }).body === "string",
    )
  );
}

/** The ingest request a direct invocation carries; an IngestRequestError naming what is wrong otherwise. */
export function readIngestRequest(event: unknown): IngestRequest {
  const parsed = INGEST_REQUEST.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join(".") || "event"}: ${issue.message}`);
  let shown = JSON.stringify(event) ?? String(event);
  if (shown.length > 200) shown = `${shown.slice(0, 200)}…`;
  throw new IngestRequestError(
    `the ingest worker takes an SQS batch, {"eventwire":"ingest-run"} or {"eventwire":"ingest-refresh","sourceId":"…"}; ` +
      `got ${shown} (${problems.join("; ")})`,
  );
}
