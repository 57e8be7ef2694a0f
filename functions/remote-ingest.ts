import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import { ApiError, type IngestRunner } from "@eventwire/api";
import { errorMessage, type Log } from "@eventwire/core";
import type { IngestRunSummary, IngestSourceResult } from "@eventwire/pipeline";
import * as z from "zod/mini";
import type { IngestRequest } from "./ingest-request";

/**
 * The Lambda client the API invokes the worker with. One attempt (each is an ingest run: a
 * failed one is reported, not repeated behind the caller's back), and a wait of `timeoutMs` at
 * most for the answer. `endpoint` and `credentials` are for a local stand-in of the service.
 */
export function createWorkerClient(options: {
  region: string | undefined;
  timeoutMs: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): LambdaClient {
  return new LambdaClient({
    region: options.region,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only warns when the time is up, and waits on.
    requestHandler: { requestTimeout: options.timeoutMs, throwOnRequestTimeout: true },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

export type RemoteIngestOptions = {
  client: LambdaClient;
  /** The ingest worker's function name (its SST link). */
  functionName: string;
  /** How long the client waits for an answer (its request timeout), for the 504's message. */
  timeoutMs: number;
  log: Log;
  /** Called once the worker has answered: its writes may have made cached answers stale. */
  onAnswer?: () => void;
};

// What the API checks of an answer before passing it on: the shape its clients rely on.
const SOURCE_RESULT = z.looseObject({ ok: z.boolean(), sourceId: z.string(), url: z.string() });
const RUN_SUMMARY = z.looseObject({ sourcesKnown: z.number(), sourcesDue: z.number(), results: z.array(SOURCE_RESULT) });
const REFRESH_ANSWER = z.nullable(SOURCE_RESULT);
const FUNCTION_ERROR = z.looseObject({ errorType: z.optional(z.string()), errorMessage: z.optional(z.string()) });

function clip(text: string, length = 300): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * The admin routes' ingestion on AWS: a synchronous invocation (RequestResponse) of the ingest
 * worker function, which runs the pipeline and answers with its result. The worker failing
 * (X-Amz-Function-Error) is a 502 naming its error, a timeout (the worker's or this client's) a
 * 504, a throttled invocation a 503; the invocation is not retried, as each attempt is a run.
 */
export function invokeIngestWorker(options: RemoteIngestOptions): IngestRunner {
  const { client, functionName, log } = options;
  const worker = `the ingest worker (${functionName})`;

  async function invoke(request: IngestRequest): Promise<unknown> {
    let output: InvokeCommandOutput;
    try {
      output = await client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: JSON.stringify(request) }),
      );
    } catch (error) {
      throw invocationFailure(error);
    }
    const text = output.Payload === undefined ? "" : Buffer.from(output.Payload).toString("utf8");
    // Any answer means the worker ran, and it may have stored articles before failing.
    options.onAnswer?.();
    if (output.FunctionError !== undefined) throw functionFailure(output.FunctionError, text);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(502, "upstream_failed", `${worker} answered with something that is not JSON: ${clip(text, 100)}`);
    }
  }

  function invocationFailure(error: unknown): ApiError {
    const name = error instanceof Error ? error.name : "Error";
    // The SDK's message can name accounts and roles: the client sees the error's name, the log the rest.
    log.error("invoking the ingest worker failed", { functionName, error: errorMessage(error), name });
    if (name === "TimeoutError") {
      return new ApiError(
        504,
        "upstream_timeout",
        `${worker} did not answer within ${Math.round(options.timeoutMs / 1000)} s; a run it started goes on, and GET /api/v1/sources shows its outcome`,
      );
    }
    if (name === "TooManyRequestsException") {
      return new ApiError(503, "unavailable", `${worker} is at its concurrency limit (${name}); try again shortly`);
    }
    return new ApiError(502, "upstream_failed", `could not invoke ${worker}: ${name}`);
  }

  function functionFailure(kind: string, text: string): ApiError {
    let parsed: z.output<typeof FUNCTION_ERROR> = {};
    try {
      parsed = FUNCTION_ERROR.safeParse(JSON.parse(text)).data ?? {};
    } catch {
      // Not JSON: the text itself is reported below.
    }
    const type = parsed.errorType ?? kind;
    const message = clip(parsed.errorMessage ?? text);
    log.error("the ingest worker failed", { functionName, functionError: kind, errorType: type, errorMessage: message });
    if (type === "Sandbox.Timedout" || /Task timed out/i.test(message)) {
      return new ApiError(504, "upstream_timeout", `${worker} timed out: ${message}`);
    }
    return new ApiError(502, "upstream_failed", `${worker} failed (${type}): ${message}`);
  }

  function checked<T>(schema: z.ZodMiniType, answer: unknown, what: string): T {
    if (!schema.safeParse(answer).success) {
      throw new ApiError(502, "upstream_failed", `${worker} answered with something that is not ${what}`);
    }
    return answer as T;
  }

  return {
    runDue: async () => checked<IngestRunSummary>(RUN_SUMMARY, await invoke({ eventwire: "ingest-run" }), "a run summary"),
    refreshSource: async (sourceId) =>
      checked<IngestSourceResult | null>(
        REFRESH_ANSWER,
        await invoke({ eventwire: "ingest-refresh", sourceId }),
        "a source's result",
      ),
  };
}
