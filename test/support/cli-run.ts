import { spawn } from "node:child_process";

// The CLI as a user runs it: `bin/eventwire.mjs` in a child process.
const BIN = new URL("../../bin/eventwire.mjs", import.meta.url).pathname;
const QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

export type CliRun = { code: number | null; stdout: string; stderr: string };

/**
 * Runs the CLI with `args` and these variables on top of the test's environment (in `cwd`, else
 * the test's working folder); its exit code and output.
 */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...QUIET, ...env }, cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
