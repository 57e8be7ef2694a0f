import type { Log } from "@eventwire/core";

export type LogFormat = "json" | "pretty";

function formatValue(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * A log that writes one line per entry to stderr: JSON (for CloudWatch and machines) or
 * `time LEVEL message key=value` (for a terminal).
 */
export function createLog(format: LogFormat, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Log {
  const emit = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) => {
    const time = new Date().toISOString();
    if (format === "json") {
      // The entry's own keys win over fields of the same name.
      write(JSON.stringify({ ...fields, time, level, message }));
      return;
    }
    const extras = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`)
      .join(" ");
    write(`${time.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${message}${extras ? ` ${extras}` : ""}`);
  };
  return {
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
}
