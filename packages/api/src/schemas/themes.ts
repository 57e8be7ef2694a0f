import { mapFeedFormats } from "@eventwire/core";
import { z } from "@hono/zod-openapi";
import { link } from "./responses";

export const THEME = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    language: z.string(),
    events: link,
    feeds: z.object(mapFeedFormats(() => link)),
  })
  .openapi("Theme");

export const THEME_LIST = z.object({ items: z.array(THEME) }).openapi("ThemeList");
