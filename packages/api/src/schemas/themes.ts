import { mapFeedFormats } from "@eventwire/core";
import * as z from "zod";
import { link } from "./responses";

export const THEME = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  language: z.string(),
  events: link,
  feeds: z.object(mapFeedFormats(() => link)),
});

export const THEME_LIST = z.object({ items: z.array(THEME) });
