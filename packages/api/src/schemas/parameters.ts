import { z } from "@hono/zod-openapi";

// The rules query parameters and body fields share, each with one message naming the expected
// form, so every route refuses a bad value in the same words.

export const HEX_ID = /^[0-9a-f]{32}$/;
/** How the documents name the form of an article or event id. */
export const HEX_ID_FORM = "32 hex digits";
export const THEME_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const TIME_FORM = "an ISO 8601 date (2026-05-01) or date-time with a zone (2026-05-01T12:00:00Z)";

/** A date or a date-time; a bare date is the start of that day (UTC) for `since`, its end for `until`. */
export function timeBound(edge: "start" | "end", description: string) {
  return z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: TIME_FORM })
    .transform((value) => {
      if (value.length === 10) return `${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`;
      return new Date(value).toISOString();
    })
    .optional()
    .meta({ description: `${description}: ${TIME_FORM}` });
}

/**
 * A whole number from a query string, written in decimal digits only: `0x10`, `1e2`, `+5`, ` 5`
 * and `5.0` are refused rather than read as something the client may not have meant. One
 * message names the form and the range for any bad value.
 */
export function integerParameter(min: number, max: number) {
  const form = `a whole number from ${min} to ${max}, in decimal digits`;
  return (
    z
      .string({ error: form })
      .regex(/^[0-9]{1,10}$/, { error: form })
      .transform(Number)
      .pipe(z.number().min(min, { error: form }).max(max, { error: form }))
      // On the wire it is a string; documented as the integer it stands for.
      .meta({ type: "integer", minimum: min, maximum: max })
  );
}

/** A whole number in a JSON body, with one message naming the range for any bad value. */
export function integerField(min: number, max: number, unit = "") {
  const form = `a whole number${unit} from ${min} to ${max}`;
  return z.number({ error: form }).int({ error: form }).min(min, { error: form }).max(max, { error: form });
}

export const limit = integerParameter(1, 100)
  .default(20)
  // The documents show the default beside the range integerParameter gives.
  .meta({ description: "items per page (1–100)", default: 20 });

export const cursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .meta({ description: "the `nextCursor` of the previous page: opaque (encrypted), valid only with the same filters" });

export const query = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: "words that must all occur (case, accents and word endings ignored)", example: "raqqa dam" });

export const theme = z
  .string()
  .regex(THEME_ID, "a theme id (lower-case letters, digits and '-')")
  .optional()
  .meta({ description: "theme id; see /api/v1/themes" });

/** Routes that take no query parameters. */
export const NO_QUERY = z.strictObject({});
