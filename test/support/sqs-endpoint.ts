import { createHash, randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SQSRecord } from "aws-lambda";

/** One message a queue took: the queue's URL and the body, parsed. */
type SentMessage = { queueUrl: string; body: unknown };

export type SqsEndpoint = {
  url: string;
  /** The URL of a queue named `name` on this endpoint. */
  queueUrl(name: string): string;
  sent: SentMessage[];
  /** While true, every message is refused, as a queue that no longer exists refuses it. */
  refusing: boolean;
  close(): Promise<void>;
};

const JSON_1_0 = "application/x-amz-json-1.0";

/** An SQS error as the JSON protocol carries it (a 400 the client does not retry). */
function refuse(response: ServerResponse, code: string, queryCode: string, message: string): void {
  response
    .writeHead(400, { "content-type": JSON_1_0, "x-amzn-query-error": `${queryCode};Sender` })
    .end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
}

/**
 * A real HTTP server on 127.0.0.1 that speaks SQS's `SendMessage` (the AWS JSON 1.0 protocol the
 * SDK's SQS client sends: `X-Amz-Target: AmazonSQS.SendMessage`), for a client pointed at it by
 * `AWS_ENDPOINT_URL_SQS`; it keeps what it was sent. Any other action is refused, and every
 * message while `refusing` is set.
 */
export async function startSqsEndpoint(): Promise<SqsEndpoint> {
  const sent: SentMessage[] = [];
  let refusing = false;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || target !== "AmazonSQS.SendMessage") {
      refuse(response, "InvalidAction", "InvalidAction", `not served here: ${String(target)}`);
      return;
    }
    if (refusing) {
      refuse(response, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
      return;
    }
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { QueueUrl: string; MessageBody: string };
    sent.push({ queueUrl: input.QueueUrl, body: JSON.parse(input.MessageBody) as unknown });
    // The client checks the body's MD5 against the one the service answers with.
    const md5 = createHash("md5").update(input.MessageBody).digest("hex");
    response.writeHead(200, { "content-type": JSON_1_0 }).end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    queueUrl: (name) => `${url}/123456789012/${name}`,
    sent,
    get refusing() {
      return refusing;
    },
    set refusing(value: boolean) {
      refusing = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One record of a batch as Lambda's SQS trigger hands the ingest queue's messages to the worker. */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: "1" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:eventwire-test-IngestQueue",
    awsRegion: "us-east-1",
  } as unknown as SQSRecord;
}
