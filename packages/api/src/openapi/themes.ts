import { NO_QUERY } from "../schemas/parameters";
import { THEME_LIST } from "../schemas/themes";
import type { Operation } from "./operation";

export const THEME_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/v1/themes",
    tag: "themes",
    summary: "The themes this server follows",
    query: NO_QUERY,
    ok: { status: 200, description: "every theme", schema: THEME_LIST },
    errors: [400],
    cached: true,
  },
];
