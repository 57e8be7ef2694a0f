import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
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
