import type { Log } from "@eventwire/core";

export type LogFormat = "json" | "pretty";

/** The least important entries shown, EVENTWIRE_LOG_LEVEL: `info` shows info, warnings and errors. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogOptions = { format: LogFormat; level?: LogLevel | undefined };

function formatValue(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * A log that writes one line per entry to stderr: JSON (for CloudWatch and machines) or
 * `time LEVEL message key=value` (for a terminal). Entries below `level` (default `info`) are
 * dropped, so debug entries cost nothing unless asked for.
 */
export function createLog(
  options: LogFormat | LogOptions,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Log {
  const { format, level: least = "info" } = typeof options === "string" ? { format: options } : options;
  const shown = (level: LogLevel) => LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(least);
  const emit = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (!shown(level)) return;
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
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
}
