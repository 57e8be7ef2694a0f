import http from "node:http";
import https from "node:https";
import { pipeline, Readable, type Transform } from "node:stream";
import zlib from "node:zlib";
import type { ConnectLookup } from "./url-guard";

/** One keep-alive pool per scheme; `maxSockets` bounds the connections to one origin. */
export type GuardedAgents = { http: http.Agent; https: https.Agent };

/** Idle keep-alive connections close after this long. */
const IDLE_SOCKET_MS = 4_000;

/** Keep-alive agents for guarded requests; `maxSockets` is per origin (unbounded when omitted). */
export function createGuardedAgents(maxSockets?: number): GuardedAgents {
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, ...(maxSockets === undefined ? {} : { maxSockets }) };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export type GuardedRequestInit = {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Aborts the request, and the answer's body once it is being read, with the signal's reason. */
  signal: AbortSignal;
  /** Resolves the host for the connection: the URL guard's lookup, so the address connected to is the one judged. */
  lookup: ConnectLookup;
  agents: GuardedAgents;
};

/**
 * Sends one HTTP(S) request with Node's own client and resolves with the answer's head (its
 * body not yet read). It follows no redirect. Every connection resolves its host through
 * `lookup`; an IP literal skips the lookup, so callers judge the URL with the guard first.
 */
export function guardedRequest(url: URL, init: GuardedRequestInit): Promise<http.IncomingMessage> {
  const { signal } = init;
  if (signal.aborted) return Promise.reject(signal.reason);
  const client = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (client === null) return Promise.reject(new TypeError(`"${url.protocol}" URLs are not fetched: http(s) only`));
  const agent = url.protocol === "https:" ? init.agents.https : init.agents.http;
  return new Promise((resolve, reject) => {
    let answer: http.IncomingMessage | undefined;
    const headers =
      init.body === undefined ? init.headers : { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) };
    const request = client.request(url, { method: init.method, headers, agent, lookup: init.lookup as never }, (response) => {
      answer = response;
      resolve(response);
    });
    // The reason (a TimeoutError from AbortSignal.timeout) reaches both the request and a body
    // being read, so the caller can tell a deadline from a broken connection.
    const abort = () => {
      answer?.destroy(signal.reason);
      request.destroy(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    request.once("close", () => signal.removeEventListener("abort", abort));
    request.on("error", reject);
    request.end(init.body);
  });
}

/** Reads at most `limit` bytes of an answer's body and drops the rest with the connection. */
export function discardBody(answer: http.IncomingMessage, limit: number): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    answer.on("data", (chunk: Buffer) => {
      read += chunk.byteLength;
      if (read > limit) answer.destroy();
    });
    answer.once("end", resolve);
    answer.once("close", resolve);
    answer.once("error", () => resolve());
  });
}

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

function decoderFor(coding: string): Transform | null {
  // Lenient like browsers: a stream cut short yields what was decoded instead of an error.
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(lenient);
    case "deflate":
      return zlib.createInflate(lenient);
    case "br":
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return null;
  }
}

const MAX_CONTENT_CODINGS = 4;

/** The body decompressed as it is read (so size limits count decompressed bytes); unknown codings pass as sent. */
function decodedBody(answer: http.IncomingMessage): Readable {
  const codings = String(answer.headers["content-encoding"] ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity")
    .reverse();
  // Real servers apply one coding, rarely two; a long list would only set up decompressors.
  if (codings.length > MAX_CONTENT_CODINGS) {
    answer.destroy();
    const reason = `the response lists ${codings.length} content codings (at most ${MAX_CONTENT_CODINGS} are read)`;
    throw new TypeError("fetch failed", { cause: new Error(reason) });
  }
  const decoders = codings.map(decoderFor);
  if (decoders.length === 0 || decoders.some((decoder) => decoder === null)) return answer;
  // An error on any stage (the deadline's reason included) destroys the others with it.
  return pipeline([answer, ...(decoders as Transform[])], () => undefined) as unknown as Readable;
}

/** A WHATWG Response over an answer, its body decoded as it streams. */
function toResponse(answer: http.IncomingMessage, method: string): Response {
  const status = answer.statusCode ?? 0;
  if (status < 200 || status > 599) {
    answer.destroy();
    throw new TypeError("fetch failed", { cause: new Error(`invalid HTTP status ${status}`) });
  }
  const headers = new Headers();
  for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
    headers.append(answer.rawHeaders[index] as string, answer.rawHeaders[index + 1] as string);
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY_STATUSES.has(status) || method === "HEAD") answer.resume();
  else body = Readable.toWeb(decodedBody(answer)) as ReadableStream<Uint8Array>;
  return new Response(body, { status, statusText: answer.statusMessage ?? "", headers });
}

/**
 * A `fetch` for URLs users give us, on Node's own HTTP client: each connection resolves its
 * host through `lookup` (the URL guard's, so DNS rebinding reaches no private address), gzip,
 * deflate and br bodies are decompressed as they stream, and the signal aborts the body too.
 * It follows no redirect: callers ask for `redirect: "manual"` and judge each hop themselves.
 * Network failures are a TypeError whose `cause` is the system error, as with the global fetch.
 */
export function createGuardedFetch(lookup: ConnectLookup, agents: GuardedAgents = createGuardedAgents()): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    if (init.redirect !== "manual") throw new TypeError('this fetch follows no redirect: pass redirect: "manual"');
    if (typeof input !== "string" && !(input instanceof URL)) throw new TypeError("this fetch takes a URL, not a Request");
    if (init.body != null && typeof init.body !== "string") throw new TypeError("this fetch sends string bodies only");
    const method = (init.method ?? "GET").toUpperCase();
    const signal = init.signal ?? new AbortController().signal;
    const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br" };
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    let answer: http.IncomingMessage;
    try {
      answer = await guardedRequest(new URL(input), {
        method,
        headers,
        body: init.body ?? undefined,
        signal,
        lookup,
        agents,
      });
    } catch (error) {
      if (signal.aborted && error === signal.reason) throw error;
      throw new TypeError("fetch failed", { cause: error });
    }
    return toResponse(answer, method);
  }) as typeof fetch;
}
