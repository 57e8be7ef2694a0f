import type { Context, MiddlewareHandler } from "hono";
import * as z from "zod";
import { ApiError } from "./errors";
import { NO_QUERY } from "./schemas/parameters";

type Where = "query parameter" | "field";

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  null: "null",
};

/** What a client sent, in a word or two: never the value itself. */
function kindOf(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  switch (typeof input) {
    case "string":
      return "text";
    case "number":
      return Number.isNaN(input) ? "not a number" : "a number";
    case "boolean":
      return "true or false";
    case "object":
      return "an object";
    default:
      return typeof input;
  }
}

function bound(origin: string, size: number | bigint, side: "least" | "most"): string {
  const unit = origin === "string" ? " characters" : origin === "array" || origin === "set" ? " items" : "";
  return `at ${side} ${size}${unit}`;
}

/**
 * The rule an issue broke, in words, for a schema that names none itself (a schema's own
 * message, such as "a whole number from 1 to 100", wins). Zod's own phrasing ("expected number,
 * received NaN") never reaches a client.
 */
function ruleInWords(where: Where) {
  return (issue: z.core.$ZodRawIssue): string => {
    switch (issue.code) {
      case "invalid_type":
        if (issue.input === undefined) return where === "field" ? "required" : "required parameter";
        return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${kindOf(issue.input)}`;
      case "too_small":
        if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
        if (issue.origin === "array" && Number(issue.minimum) === 1) return "must list at least one item";
        return issue.inclusive === false ? `more than ${issue.minimum}` : bound(issue.origin, issue.minimum, "least");
      case "too_big":
        return issue.inclusive === false ? `less than ${issue.maximum}` : bound(issue.origin, issue.maximum, "most");
      case "invalid_value":
        return `one of ${issue.values.map(String).join(", ")}`;
      case "invalid_format":
        return issue.format === "regex" ? "not in the form this takes" : `not a valid ${issue.format}`;
      case "unrecognized_keys": {
        const accepted = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
        const noun = where === "field" ? "field" : "parameter";
        if (accepted.length === 0)
          return `not a ${noun} here: ${where === "field" ? "this takes no fields" : "this route takes none"}`;
        return `not a ${noun} here (${noun}s: ${accepted.join(", ")})`;
      }
      case "invalid_union":
        return "not in any form this takes";
      case "not_multiple_of":
        return `a multiple of ${issue.divisor}`;
      default:
        return "not a value this takes";
    }
  };
}

const QUERY_RULES = ruleInWords("query parameter");
const FIELD_RULES = ruleInWords("field");

/** A name a client sent, as an error message repeats it: bounded, so a 64 KiB name is not echoed whole. */
const MAX_NAME_ECHOED = 100;
const echoed = (name: string) => (name.length > MAX_NAME_ECHOED ? `${name.slice(0, MAX_NAME_ECHOED)}…` : name);

/** `filter.keywords[1]`: a path as a client would write it. */
function pathName(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index > 0 ? "." : ""}${echoed(String(part))}`))
    .join("");
}

function describeIssues(error: z.ZodError, where: Where): string {
  const whole = where === "field" ? "the body" : "the query";
  return error.issues
    .flatMap((issue) => {
      // One message per unknown name, each naming it.
      const names = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      return names.map((path) =>
        path.length > 0 ? `${where} "${pathName(path)}": ${issue.message}` : `${whole}: ${issue.message}`,
      );
    })
    .join("; ");
}

/**
 * Validates the query string against a schema; a failure is a 400 naming the parameter and the
 * rule. A parameter the schema knows that is given more than once is a 400 too, never read as
 * its first (or last) value.
 */
export function parseQuery<S extends z.ZodObject>(c: Context, schema: S): z.output<S> {
  // The query string read once: every value of each name.
  const all = Object.entries(c.req.queries());
  const repeated = all
    .filter(([name, values]) => values.length > 1 && Object.hasOwn(schema.shape, name))
    .map(([name, values]) => `query parameter "${echoed(name)}": given ${values.length} times; give it once`);
  if (repeated.length > 0) throw new ApiError(400, "invalid_parameter", repeated.join("; "));
  const single = Object.fromEntries(all.map(([name, values]) => [name, values[0]]));
  const result = schema.safeParse(single, { error: QUERY_RULES });
  if (!result.success) throw new ApiError(400, "invalid_parameter", describeIssues(result.error, "query parameter"));
  return result.data;
}

/** For the routes that change things, which read no query parameters: any given is a 400, not ignored. */
export const refuseQuery: MiddlewareHandler = async (c, next) => {
  parseQuery(c, NO_QUERY);
  await next();
};

/** `application/json`, or a structured `+json` type, with or without parameters. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/**
 * Reads and validates a JSON body: a body not sent as `application/json` is a 415; malformed
 * JSON and schema failures are 400s naming the field and the rule. The app's body limit has
 * already bounded what is read.
 */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const contentType = c.req.header("content-type");
  if (!isJsonMediaType(contentType)) {
    const given = contentType === undefined ? "none" : `"${contentType.slice(0, 100)}"`;
    throw new ApiError(
      415,
      "unsupported_media_type",
      `the request body must be JSON, sent with Content-Type: application/json (Content-Type given: ${given})`,
    );
  }
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_body", "the request body is not valid JSON");
  }
  const result = schema.safeParse(raw, { error: FIELD_RULES });
  if (!result.success) throw new ApiError(400, "invalid_body", describeIssues(result.error, "field"));
  return result.data;
}
