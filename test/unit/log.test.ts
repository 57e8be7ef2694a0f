import { describe, expect, it } from "vitest";
import { createLog, type LogLevel } from "../../functions/log";

/** The messages a log at `level` writes when it is given one entry of each level. */
function written(level: LogLevel | undefined, format: "json" | "pretty" = "pretty"): string[] {
  const lines: string[] = [];
  const log = createLog({ format, level }, (line) => lines.push(line));
  log.debug("polled", { stored: 0 });
  log.info("run finished", { stored: 3 });
  log.warn("source failed", { error: "HTTP 503" });
  log.error("store down");
  return lines;
}

describe("createLog", () => {
  it.each([
    [undefined, ["run finished", "source failed", "store down"]],
    ["debug", ["polled", "run finished", "source failed", "store down"]],
    ["info", ["run finished", "source failed", "store down"]],
    ["warn", ["source failed", "store down"]],
    ["error", ["store down"]],
  ] as const)("at level %s writes %j", (level, messages) => {
    const lines = written(level, "json");
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(messages);
  });

  it("writes pretty lines with the level and the fields", () => {
    const lines = written("debug");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d DEBUG polled stored=0$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d WARN {2}source failed error="HTTP 503"$/);
  });

  it("still takes the format alone, at level info", () => {
    const lines: string[] = [];
    const log = createLog("json", (line) => lines.push(line));
    log.debug("hidden");
    log.info("shown");
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: "info", message: "shown" })]);
  });
});
