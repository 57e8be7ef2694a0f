import { z } from "@hono/zod-openapi";
import { link } from "./responses";

const THEME = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    language: z.string(),
    events: link,
    feeds: z.object({ rss: link, atom: link, json: link }),
  })
  .openapi("Theme");

export const THEME_LIST = z.object({ items: z.array(THEME) }).openapi("ThemeList");
