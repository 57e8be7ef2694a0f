import { z } from "@hono/zod-openapi";

// The parts every JSON answer shares: the error body, absolute links, and the page of items.

export const ERROR_BODY = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "machine-readable: invalid_parameter, not_found, rate_limited, …" }),
      message: z.string().meta({ description: "what was wrong, naming the parameter or id" }),
      requestId: z.string().nullable().meta({ description: "also in the X-Request-Id header" }),
    }),
  })
  .openapi("Error");

export const link = z.string().meta({ description: "absolute URL" });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page; null after the last" }),
  });
