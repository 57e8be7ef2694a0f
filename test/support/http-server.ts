import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

type SeenRequest = { path: string; headers: IncomingMessage["headers"] };

export type TestHttpServer = {
  url: string;
  /** Every request, in arrival order. */
  seen: SeenRequest[];
  /** Replaces the handler of a path (exact match, query included). */
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
};

/** A real HTTP server on 127.0.0.1 with per-path handlers; unknown paths answer 404. */
export async function startTestServer(routes: Record<string, Handler> = {}): Promise<TestHttpServer> {
  const table = new Map(Object.entries(routes));
  const seen: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    seen.push({ path, headers: request.headers });
    const handler = table.get(path);
    if (handler === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    route: (path, handler) => table.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler that serves a body with an ETag and answers 304 when the ETag comes back. */
export function serveWithEtag(body: string | Buffer, contentType: string, etag: string): Handler {
  return (request, response) => {
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { "content-type": contentType, etag, "last-modified": "Mon, 04 May 2026 09:00:00 GMT" }).end(body);
  };
}

/** A handler that serves a body and ignores validators (a server without conditional GET). */
export function serveAlways(body: string | Buffer, contentType: string): Handler {
  return (_request, response) => {
    response.writeHead(200, { "content-type": contentType }).end(body);
  };
}
