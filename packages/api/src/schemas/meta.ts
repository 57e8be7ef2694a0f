import { z } from "@hono/zod-openapi";

/** GET /health */
export const HEALTH = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string(),
    time: z.string(),
    checks: z.object({
      table: z.string().meta({ description: "ok, or unreachable (the kind of failure)" }),
    }),
  })
  .openapi("Health");
