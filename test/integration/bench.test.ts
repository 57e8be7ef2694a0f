import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REQUIRED_KEYS } from "../../functions/bench/run";

// `npm run bench` as a user runs it, in its smallest form: every module once, on small inputs.
// Only the shape of the answer is checked here; the figures themselves are in BENCHMARKS.md.
const CLI = new URL("../../functions/cli.ts", import.meta.url).pathname;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "bench", ...args], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("bench --quick --json", () => {
  it("ends stdout with one JSON object carrying every required figure as a finite number", async () => {
    const { code, stdout, stderr } = await runBench(["--quick", "--json"]);
    expect(code, stderr).toBe(0);
    const last = stdout.trimEnd().split("\n").at(-1) ?? "";
    const figures = JSON.parse(last) as Record<string, unknown>;
    expect(typeof figures).toBe("object");
    expect(Array.isArray(figures)).toBe(false);
    for (const key of [
      ...REQUIRED_KEYS,
      "webhook_p99_ms",
      "maintenance_ms_per_article",
      "maintenance_planned_ms_per_article",
      "maintenance_ms_per_merge",
    ]) {
      expect(typeof figures[key], `${key} in ${last}`).toBe("number");
      expect(Number.isFinite(figures[key]), `${key} in ${last}`).toBe(true);
    }
    // Progress went to stderr: stdout is the JSON object alone.
    expect(stdout.trim().split("\n")).toHaveLength(1);
  }, 240_000);
});
