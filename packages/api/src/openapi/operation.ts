import type * as z from "zod";

// What the document says of one route. The files beside this one list their resource's routes;
// render-operation.ts turns each into an OpenAPI operation object.

export type Schema = z.ZodType;

/** One documented operation: its inputs and its answers, as the route validates and sends them. */
export type Operation = {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  description?: string;
  pathParameters?: Record<string, string>;
  query?: z.ZodObject;
  body?: Schema;
  /** The success answer: a registered schema (JSON) or a media type (feeds, pages). */
  ok: { status: 200 | 201 | 204; description: string; schema?: Schema; mediaTypes?: string[] };
  /** A 301 the route may answer with (a merged-away event): what it says, with its `Location` and body. */
  moved?: { description: string; schema?: Schema };
  /** Error statuses besides 429 and 500. */
  errors: number[];
  admin?: boolean;
  /** Answers carry ETag and Cache-Control, and 304 on If-None-Match. */
  cached?: boolean;
};

export const HEX_ID = "32 hex digits";
