import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApp } from "@eventwire/api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// A deployed function reads its themes from the files shipped beside its bundle: EVENTWIRE_THEMES
// names them relative to the task root (infra/functions.ts copies them there). A bad file stops
// the container at its start, naming the file and the field, before any request is served.

const SHIPPED = JSON.parse(readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8"));
const HANDLERS = {
  api: () => import("../../functions/api"),
  ingest: () => import("../../functions/ingest"),
  "ingest-worker": () => import("../../functions/ingest-worker"),
  dispatch: () => import("../../functions/dispatch"),
  maintain: () => import("../../functions/maintain"),
};
const VARIABLES = [
  "EVENTWIRE_THEMES",
  "LAMBDA_TASK_ROOT",
  "EVENTWIRE_TABLE",
  "EVENTWIRE_ADMIN_KEY",
  "AWS_REGION",
  "EVENTWIRE_LOG_FORMAT",
];

let taskRoot: string;
const saved = new Map<string, string | undefined>();

beforeAll(() => {
  taskRoot = mkdtempSync(path.join(os.tmpdir(), "eventwire-task-themes-"));
  mkdirSync(path.join(taskRoot, "themes"));
  writeFileSync(
    path.join(taskRoot, "themes/01-harbours.json"),
    JSON.stringify({ ...SHIPPED, id: "harbours", title: "Harbours" }),
  );
  writeFileSync(
    path.join(taskRoot, "themes/02-bad.json"),
    JSON.stringify({ ...SHIPPED, id: "bad", entities: [{ ...SHIPPED.entities[0], aliases: [] }] }),
  );
  for (const name of VARIABLES) saved.set(name, process.env[name]);
  // No table is read here: the themes are loaded before any client is used.
  Object.assign(process.env, {
    LAMBDA_TASK_ROOT: taskRoot,
    EVENTWIRE_TABLE: "eventwire-lambda-themes",
    EVENTWIRE_ADMIN_KEY: "lambda-themes-admin-key-0123",
    AWS_REGION: "us-east-1",
    EVENTWIRE_LOG_FORMAT: "json",
  });
});

afterAll(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(taskRoot, { recursive: true, force: true });
});

/** A fresh container: the handler modules and their deps made anew, with EVENTWIRE_THEMES as given. */
function coldStart(themes: string): void {
  process.env.EVENTWIRE_THEMES = themes;
  vi.resetModules();
}

describe("Lambda handlers and their theme files", () => {
  it("happy: the API of a container lists the built-in and shipped themes EVENTWIRE_THEMES names, in order", async () => {
    coldStart("isis-syria,themes/01-harbours.json");
    const { apiLambdaDeps } = await import("../../functions/lambda-deps");
    const app = createApp(apiLambdaDeps(() => "203.0.113.7"));
    const response = await app.request("/api/v1/themes");
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: { id: string; title: string }[] };
    expect(items.map((item) => [item.id, item.title])).toEqual([
      ["isis-syria", SHIPPED.title],
      ["harbours", "Harbours"],
    ]);
    // Every handler starts with them.
    for (const [name, load] of Object.entries(HANDLERS)) {
      vi.resetModules();
      await expect(load(), name).resolves.toHaveProperty("handler");
    }
  });

  it.each(Object.keys(HANDLERS))(
    "error: %s does not start with a bad theme file, naming the file and the field",
    async (name) => {
      coldStart("isis-syria,themes/02-bad.json");
      await expect(HANDLERS[name as keyof typeof HANDLERS]()).rejects.toThrow(
        /^theme file themes\/02-bad\.json: entities\.0\.aliases: Too small/,
      );
    },
  );

  it("error: a theme file that was not shipped names the path it looked for under the task root", async () => {
    coldStart("themes/03-missing.json");
    const error = await HANDLERS.dispatch().then(
      () => null,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toMatch(
      /^EVENTWIRE_THEMES: "themes\/03-missing\.json" is no built-in theme \(isis-syria[^)]*\) and no file or folder: /,
    );
    expect(error?.message.endsWith(`: ${taskRoot}/themes/03-missing.json`)).toBe(true);
  });
});
