import { spawn } from "node:child_process";

/**
 * Runs a script of test/support in a child process (through tsx) with these variables, and
 * resolves with the signal it ended on and what it wrote to stderr: the crash tests' scripts
 * kill themselves with SIGKILL part-way through a write.
 */
export async function runUntilKilled(
  script: string,
  env: Record<string, string>,
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL(script, import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
  return { signal, stderr };
}
