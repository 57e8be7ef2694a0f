import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";

function describeIssues(error: z.ZodError, where: "query parameter" | "field"): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.length > 0 ? issue.path.join(".") : "(body)";
      return `${where} "${name}": ${issue.message}`;
    })
    .join("; ");
}

/** Validates the query string against a schema; a failure is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw new ApiError(400, "invalid_parameter", describeIssues(result.error, "query parameter"));
  return result.data;
}

/** Reads and validates a JSON body; malformed JSON and schema failures are 400s. */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_body", "the request body is not valid JSON");
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ApiError(400, "invalid_body", describeIssues(result.error, "field"));
  return result.data;
}
