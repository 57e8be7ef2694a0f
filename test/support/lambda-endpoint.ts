import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Invocation = { functionName: string; invocationType: string | undefined; payload: unknown };

/** How the endpoint answers one invocation, as the Lambda service would. */
export type InvokeAnswer =
  /** The function returned this value (200, its JSON as the payload). */
  | { result: unknown }
  /** The function threw, or timed out (200 with X-Amz-Function-Error and the runtime's error payload). */
  | { functionError: "Unhandled"; errorType?: string; errorMessage: string }
  /** The service refused the call (e.g. 404 ResourceNotFoundException, 429 TooManyRequestsException). */
  | { serviceError: string; status: number; message: string }
  /** No answer at all, until the endpoint closes. */
  | { silent: true };

export type LambdaEndpoint = {
  url: string;
  invocations: Invocation[];
  close(): Promise<void>;
};

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A real HTTP server on 127.0.0.1 that speaks the Lambda Invoke API (`POST
 * /2015-03-31/functions/{name}/invocations`), for the SDK's Lambda client pointed at it by its
 * `endpoint`: `invoke` decides each answer (typically by running a handler in this process).
 */
export async function startLambdaEndpoint(invoke: (invocation: Invocation) => Promise<InvokeAnswer>): Promise<LambdaEndpoint> {
  const invocations: Invocation[] = [];
  const server = createServer(async (request, response) => {
    const match = INVOKE_PATH.exec(new URL(request.url ?? "/", "http://x").pathname);
    if (request.method !== "POST" || match?.[1] === undefined) {
      response.writeHead(404, { "x-amzn-errortype": "UnknownOperationException" }).end("{}");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const invocation: Invocation = {
      functionName: decodeURIComponent(match[1]),
      invocationType: request.headers["x-amz-invocation-type"] as string | undefined,
      payload: text === "" ? undefined : (JSON.parse(text) as unknown),
    };
    invocations.push(invocation);
    const answer = await invoke(invocation);
    if ("silent" in answer) return;
    if ("serviceError" in answer) {
      response
        .writeHead(answer.status, { "content-type": "application/json", "x-amzn-errortype": answer.serviceError })
        .end(JSON.stringify({ Type: "User", message: answer.message }));
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json", "x-amz-executed-version": "$LATEST" };
    if ("functionError" in answer) {
      headers["x-amz-function-error"] = answer.functionError;
      const { errorType, errorMessage } = answer;
      response.writeHead(200, headers).end(JSON.stringify({ errorType, errorMessage, trace: [] }));
      return;
    }
    response.writeHead(200, headers).end(JSON.stringify(answer.result ?? null));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The answer Node's Lambda runtime gives for a handler's outcome: its value, or the error it threw. */
export async function runAsLambda(handler: () => Promise<unknown>): Promise<InvokeAnswer> {
  try {
    return { result: await handler() };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { functionError: "Unhandled", errorType: name, errorMessage: message };
  }
}
