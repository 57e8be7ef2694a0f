import { errorMessage, parseRetryAfter } from "@eventwire/core";
import { createGuardedAgents, discardBody, guardedRequest } from "../guarded-http";
import { createUrlGuard, type ResolveHost, UrlRefusedError } from "../url-guard";

export type SendResult = {
  /** The HTTP status, or null when no answer came. */
  statusCode: number | null;
  error: string | null;
  retryAfterMs: number | null;
  latencyMs: number;
  /** True when nothing was sent: `mayPost` said no (the attempt is left to be retried). */
  notSent?: boolean;
};

type SendOptions = {
  /**
   * Asked just before the request goes out, with the milliseconds left of the attempt's
   * deadline: false gives the attempt up unsent (the caller's lease would not outlast it).
   */
  mayPost?: (remainingMs: number) => boolean;
};

export type WebhookSender = {
  /** POSTs `body` to `url` with `headers`; never throws (failures are in the result). */
  send(url: string, headers: Record<string, string>, body: string, now: Date, options?: SendOptions): Promise<SendResult>;
  close(): Promise<void>;
};

export type WebhookSenderOptions = {
  allowPrivateUrls: boolean;
  timeoutMs: number;
  /** Connections open to one endpoint (origin) at once. */
  connectionsPerEndpoint: number;
  userAgent: string;
  resolve?: ResolveHost | undefined;
};

/** Answers past this size are not read: only the status matters. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The HTTP client of webhook deliveries (Node's own, node:http/https): every connection's address is checked as it
 * is connected to (so DNS rebinding cannot reach a private address), redirects are not
 * followed (a 3xx is a failed attempt), each attempt has one deadline covering the name's
 * lookup, the connection and the answer, and connections per endpoint are bounded.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const guard = createUrlGuard({ allowPrivate: options.allowPrivateUrls, resolve: options.resolve, target: "receivers" });
  const agents = createGuardedAgents(options.connectionsPerEndpoint);
  const inFlight = new Set<Promise<SendResult>>();
  async function attempt(
    url: string,
    headers: Record<string, string>,
    body: string,
    now: Date,
    sendOptions: SendOptions,
  ): Promise<SendResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    // One deadline for the whole attempt: the check's lookup, connecting and the answer.
    const deadline = AbortSignal.timeout(options.timeoutMs);
    try {
      // IP literals never reach `lookup`: judge them here (and names too, before connecting).
      await untilAborted(guard.check(new URL(url)), deadline);
      const remainingMs = options.timeoutMs - (performance.now() - started);
      if (sendOptions.mayPost !== undefined && !sendOptions.mayPost(remainingMs)) {
        return {
          statusCode: null,
          error: "not sent: the attempt's lease would run out before its deadline",
          retryAfterMs: null,
          latencyMs: latency(),
          notSent: true,
        };
      }
      // The deadline covers connecting, the answer's head and the part of its body read.
      const answer = await guardedRequest(new URL(url), {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "user-agent": options.userAgent },
        body,
        signal: deadline,
        lookup: guard.lookup,
        agents,
      });
      const retryAfter = answer.headers["retry-after"];
      await discardBody(answer, MAX_ANSWER_BYTES);
      const statusCode = answer.statusCode ?? 0;
      const ok = statusCode >= 200 && statusCode < 300;
      return {
        statusCode,
        error: ok
          ? null
          : `the endpoint answered ${statusCode}${statusCode >= 300 && statusCode < 400 ? " (redirects are not followed)" : ""}`,
        retryAfterMs: parseRetryAfter(typeof retryAfter === "string" ? retryAfter : null, now),
        latencyMs: latency(),
      };
    } catch (error) {
      const reason =
        error instanceof UrlRefusedError
          ? `refused: ${error.message}`
          : error instanceof Error && (error.name === "TimeoutError" || error.name.includes("Timeout"))
            ? `no answer within ${options.timeoutMs} ms`
            : describeNetworkError(error);
      return { statusCode: null, error: reason, retryAfterMs: null, latencyMs: latency() };
    }
  }
  return {
    send(url, headers, body, now, sendOptions = {}) {
      const sending = attempt(url, headers, body, now, sendOptions);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    close: async () => {
      // Attempts under way end (each within its deadline) before their connections are closed.
      await Promise.allSettled(inFlight);
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** `work`, or the signal's reason once it aborts first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  if (cause instanceof UrlRefusedError) return `refused: ${cause.message}`;
  return code ? `${code}: ${errorMessage(error)}` : errorMessage(error);
}
