import { spawn } from "node:child_process";

export type ChildOutput = { code: number | null; stdout: string; stderr: string };

/** Runs `command` to its end with stdin closed, keeping what it wrote to stdout and stderr. */
export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
