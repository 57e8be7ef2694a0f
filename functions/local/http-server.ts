import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { clientErrorAnswer } from "@eventwire/api";
import { createAdaptorServer } from "@hono/node-server";
import { ConfigError } from "../config";

export type RunningServer = { url: string; port: number; close(): Promise<void> };

/** Serves a fetch handler on host:port (0 picks a free port); a busy port is a clear error. */
export function listen(
  fetchHandler: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: fetchHandler }) as Server;
  // A request Node cannot parse (a URL or headers past its 16 KiB header limit, say) never
  // reaches the app: answer it with the JSON error too, not Node's empty 431 or 400.
  server.on("clientError", (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    // Written already (the parser may report the rest of one request again), or gone.
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error);
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.statusText}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(answer.body)}\r\nconnection: close\r\n\r\n${answer.body}`,
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new ConfigError(`port ${port} on ${host} is already in use: stop what holds it or set PORT`));
      } else if (error.code === "EADDRNOTAVAIL") {
        reject(new ConfigError(`cannot listen on ${host}: no such address on this machine (HOST)`));
      } else {
        reject(error);
      }
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
