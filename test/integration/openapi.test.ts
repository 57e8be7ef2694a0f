import { type App, createApp } from "@eventwire/api";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

// /openapi.json is generated from the routes the app serves: these tests hold the document to
// the recommended rules of a linter, to what the app serves, and to what the app enforces.

type Operation = { operationId?: string; tags?: string[]; security?: Record<string, string[]>[] };
type Spec = {
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
};

let db: TestStore;
let app: App;
let spec: Spec;
let source: string;

beforeAll(async () => {
  db = await createTestStore();
  // Links in the document name the public URL (a linter warns of localhost).
  app = createApp(createTestDeps(db.store, { publicUrl: "https://eventwire.test" }));
  const response = await app.request("/openapi.json");
  source = await response.text();
  spec = JSON.parse(source) as Spec;
});

afterAll(async () => {
  await db.drop();
});

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

/** A request path for a documented one: each parameter filled with a value of its form. */
function concrete(path: string): string {
  return path
    .replace("{theme}", "isis-syria")
    .replace("{format}", "rss")
    .replace("/api/v1/subscriptions/{id}", `/api/v1/subscriptions/sub_${"0".repeat(32)}`)
    .replace("/api/v1/deliveries/{id}", `/api/v1/deliveries/msg_${"0".repeat(32)}`)
    .replace("{id}", "0".repeat(32));
}

describe("happy: the document", () => {
  it("passes Redocly's recommended rules with no error, and no warning but the feeds' paths that share a shape", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    const described = problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message}`);
    expect(described.filter((line) => line.startsWith("error"))).toEqual([]);
    // `/feeds/{theme}/events.{format}` and `/feeds/events/{id}.{format}` can name the same URL:
    // the router serves the event feed there (an event id is 32 hex digits, a theme id is not "events").
    expect(described.filter((line) => !line.includes("no-ambiguous-paths"))).toEqual([]);
  });

  it("gives every operation a unique operationId, a tag the document describes, and its security", () => {
    const described = new Map(spec.tags.map((tag) => [tag.name, tag.description ?? ""]));
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(operation.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.tags?.length, name).toBe(1);
      expect(described.get(operation.tags?.[0] ?? "")?.length ?? 0, name).toBeGreaterThan(10);
      expect(operation.security, name).toBeDefined();
    }
    expect(spec.components.securitySchemes.adminKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("lists every route the app serves under /api/v1, /schemas, /health and the document's own, with its method", () => {
    const documented = new Set(
      operations().map(({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    const served = app.routes
      // Middleware (ALL, or a path with a wildcard) is not a route.
      .filter((route) => route.method !== "ALL" && !route.path.includes("*"))
      .filter((route) => /^\/(api\/v1\/|health|openapi\.json|docs|schemas\/)/.test(route.path))
      .map((route) => `${route.method} ${route.path}`);
    expect(served.length).toBeGreaterThan(20);
    for (const route of served) expect(documented, route).toContain(route);
    // The other way round too, but for the feeds (served on a pattern of their own).
    const servedSet = new Set(served);
    for (const route of documented) if (!route.includes("/feeds/")) expect(servedSet, route).toContain(route);
  });
});

describe("security: the document says who may call what, and the app agrees", () => {
  it("answers every operation that names the admin key with a 401 without it", async () => {
    const admin = operations().filter(({ operation }) => (operation.security ?? []).some((entry) => "adminKey" in entry));
    expect(admin.length).toBeGreaterThan(10);
    for (const { path, method } of admin) {
      const response = await app.request(concrete(path), { method: method.toUpperCase() });
      expect(response.status, `${method.toUpperCase()} ${path}`).toBe(401);
    }
  });

  it("answers every public operation without asking for a key", async () => {
    const open = operations().filter(({ operation }) => operation.security?.length === 0);
    expect(open.map(({ path }) => path)).toEqual(
      expect.arrayContaining(["/api/v1/events", "/feeds/{theme}.{format}", "/health"]),
    );
    for (const { path, method } of open) {
      const response = await app.request(concrete(path), { method: method.toUpperCase() });
      expect(response.status, `${method.toUpperCase()} ${path}`).not.toBe(401);
      expect(response.status, `${method.toUpperCase()} ${path}`).toBeLessThan(500);
    }
  });
});
