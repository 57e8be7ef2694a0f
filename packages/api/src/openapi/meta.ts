import type { Operation } from "./operation";

export const META_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/health",
    tag: "meta",
    summary: "Whether the table answers (never rate-limited, never cached)",
    ok: { status: 200, description: "ok", mediaTypes: ["application/json"] },
    errors: [503],
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "meta",
    summary: "This document",
    ok: { status: 200, description: "OpenAPI 3.1", mediaTypes: ["application/json"] },
    errors: [],
    cached: true,
  },
  {
    method: "get",
    path: "/docs",
    tag: "meta",
    summary: "This document as a page",
    ok: { status: 200, description: "HTML", mediaTypes: ["text/html"] },
    errors: [],
    cached: true,
  },
];
