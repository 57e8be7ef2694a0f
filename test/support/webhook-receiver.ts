import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

type ReceivedMessage = {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
};

/** What the receiver answers: a status, optionally with headers. */
type Answer = { status: number; headers?: Record<string, string> };

export type WebhookReceiver = {
  url: string;
  /** Requests whose signature verified, in arrival order (a repeat of an id appears again). */
  received: ReceivedMessage[];
  /** Requests that failed verification, with the library's reason. */
  rejected: string[];
  /** The most requests in flight at once. */
  maxInFlight: number;
  /** Secrets the receiver verifies with (any one must verify). */
  secrets: string[];
  /** Answers to give, in order; when used up, 200. */
  script: Answer[];
  close(): Promise<void>;
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * A real webhook receiver on 127.0.0.1 that verifies every request with the `standardwebhooks`
 * library, as a subscriber would. `beforeVerify` runs first (tests that control the clock set
 * the library's idea of now there). `delayMs` holds each answer, so overlapping requests show.
 */
export async function startWebhookReceiver(
  options: { secrets?: string[]; beforeVerify?: () => void; delayMs?: number } = {},
): Promise<WebhookReceiver> {
  let inFlight = 0;
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    rejected: [],
    maxInFlight: 0,
    secrets: options.secrets ?? [],
    script: [],
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    inFlight += 1;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, inFlight);
    try {
      const body = await readBody(request);
      const headers = {
        "webhook-id": String(request.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
      };
      options.beforeVerify?.();
      const errors: string[] = [];
      let payload: unknown;
      for (const secret of receiver.secrets) {
        try {
          payload = new Webhook(secret).verify(body, headers);
          break;
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      if (payload === undefined) {
        receiver.rejected.push(errors.join("; ") || "no secret to verify with");
        response.writeHead(400).end();
        return;
      }
      receiver.received.push({
        id: headers["webhook-id"],
        timestamp: headers["webhook-timestamp"],
        signature: headers["webhook-signature"],
        body,
        payload: payload as ReceivedMessage["payload"],
      });
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const answer = receiver.script.shift() ?? { status: 200 };
      response.writeHead(answer.status, answer.headers).end();
    } finally {
      inFlight -= 1;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
