import { readFileSync } from "node:fs";
import { type Schema, Validator } from "@cfworker/json-schema";
import { type App, createApp } from "@eventwire/api";
import { themeJsonSchema } from "@eventwire/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps } from "../support/deps";
import { createTestStore, type TestStore } from "../support/store";

// GET /schemas/theme.json: the theme file's JSON Schema, served as a cacheable document and
// listed in /openapi.json like every other route.

const SHIPPED = JSON.parse(readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8"));

let db: TestStore;
let app: App;

beforeAll(async () => {
  db = await createTestStore();
  app = createApp(createTestDeps(db.store, { publicUrl: "https://eventwire.test" }));
});

afterAll(async () => {
  await db.drop();
});

describe("happy: GET /schemas/theme.json", () => {
  it("serves the generated schema as application/schema+json, with its own URL as $id", async () => {
    const response = await app.request("/schemas/theme.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/schema+json");
    const served = (await response.json()) as Record<string, unknown>;
    expect(served).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "https://eventwire.test/schemas/theme.json",
      title: "eventwire theme",
    });
    const { $id: _id, title: _title, ...rest } = served;
    expect(rest).toEqual(themeJsonSchema());
    // A validator that reads it takes the shipped theme and refuses a broken one.
    const validator = new Validator(served as Schema, "2020-12");
    expect(validator.validate(SHIPPED).valid).toBe(true);
    expect(validator.validate({ ...SHIPPED, threshold: 2 }).valid).toBe(false);
  });

  it("is cacheable: public max-age, a strong ETag, and 304 when it has not changed", async () => {
    const first = await app.request("/schemas/theme.json");
    expect(first.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request("/schemas/theme.json", { headers: { "If-None-Match": etag as string } });
    expect(again.status).toBe(304);
  });

  it("is in /openapi.json, public, under its media type, and named in the index", async () => {
    const spec = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<
        string,
        { get?: { operationId: string; security: unknown[]; responses: Record<string, { content?: object }> } }
      >;
    };
    const operation = spec.paths["/schemas/theme.json"]?.get;
    expect(operation).toMatchObject({ operationId: "getThemeSchema", security: [] });
    expect(Object.keys(operation?.responses["200"]?.content ?? {})).toEqual(["application/schema+json"]);
    const index = (await (await app.request("/", { headers: { Accept: "application/json" } })).json()) as {
      api: Record<string, string>;
    };
    expect(index.api.themeSchema).toBe("https://eventwire.test/schemas/theme.json");
  });
});

describe("error: /schemas/", () => {
  it("answers 404 for a schema it does not have", async () => {
    const response = await app.request("/schemas/event.json");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
