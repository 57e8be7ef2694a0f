import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { writeManifest } from "../../functions/bundle-manifest";
import { BUNDLE_ENTRY, BUNDLE_ROOT, bundleDir, LAMBDA_HANDLERS, type LambdaName } from "../../infra/bundles";

// The SST CLI cannot run here, so sst.config.ts and infra/ are loaded with a stand-in for the
// globals SST provides ($config, $cli, sst.*) that records what each component is declared with.
// The deprecated sst.aws.Cron is not among them: declaring one fails the load.
export type Declared = { kind: string; name: string; args: Record<string, unknown>; instance: object };
export const declared: Declared[] = [];
/**
 * Subscriptions made with `Queue.subscribe`: the queue's name, the function (its arguments, or
 * the ARN of a function declared on its own) and the subscriber's options.
 */
export type Subscription = { queue: string; subscriber: Record<string, unknown> | string; args: Record<string, unknown> };
export const subscriptions: Subscription[] = [];

function component(kind: string) {
  return class {
    readonly name: string;
    readonly url: string;
    readonly arn: string;
    constructor(name: string, args: Record<string, unknown> = {}) {
      this.name = name;
      this.url = `https://${name.toLowerCase()}.lambda-url.example/`;
      this.arn = `arn:aws:test:::${name}`;
      declared.push({ kind, name, args, instance: this });
    }
    subscribe(subscriber: Record<string, unknown> | string, args: Record<string, unknown> = {}) {
      subscriptions.push({ queue: this.name, subscriber, args });
    }
  };
}

export type SstConfig = {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
};

/** What the tests use of infra/functions.ts (loaded like the rest of infra/, outside tsc: it reads SST's `$cli`). */
export type FunctionsModule = {
  requireBuiltBundles(root: string): void;
  SETTINGS_READ: Record<LambdaName, readonly string[]>;
  FORWARDED_SETTINGS: readonly string[];
  SST_ENVIRONMENT_BYTES: number;
  environmentBytes(environment: Record<string, string>): number;
  lambdaFunction(
    name: LambdaName,
    deploy: { root: string; env: Record<string, string | undefined> },
  ): { environment: Record<string, string>; copyFiles?: unknown };
};

export const projectRoot = path.resolve(import.meta.dirname, "../..");
/** The project root the deploy sees: the bundles `npm run build` would have written, and a sources file. */
export const deployRoot = mkdtempSync(path.join(os.tmpdir(), "eventwire-infra-"));
export const names = LAMBDA_HANDLERS.map((entry) => entry.name);
/** The deploy shell: one setting each function group reads, and a sources file. */
const DEPLOY_ENV = {
  EVENTWIRE_FEED_LIMIT: "80",
  EVENTWIRE_WEBHOOK_TIMEOUT_MS: "9000",
  EVENTWIRE_FETCH_TIMEOUT_MS: "20000",
  EVENTWIRE_INGEST_SPREAD_SECONDS: "30",
  EVENTWIRE_SOURCES_FILE: "config/feeds.txt",
};

/** What the loaded infra gave: the app, what `run()` returned, and infra/functions.ts. */
export const loaded = {} as { config: SstConfig; outputs: Record<string, unknown>; infra: FunctionsModule };

/** Writes what `npm run build` leaves under `root`: one folder a function, and the manifest. */
export function writeBuiltBundles(root: string) {
  const outDir = path.join(root, BUNDLE_ROOT);
  for (const name of names) {
    mkdirSync(bundleDir(outDir, name), { recursive: true });
    writeFileSync(path.join(bundleDir(outDir, name), BUNDLE_ENTRY), `export const handler = () => "${name}";\n`);
  }
  writeManifest(outDir, root, names, []);
}

/** Loads sst.config.ts and infra/ with the stand-in before the file's tests, and puts the environment back after. */
export function useInfraStandIn(): void {
  const savedEnv: Record<string, string | undefined> = {};
  beforeAll(async () => {
    writeBuiltBundles(deployRoot);
    mkdirSync(path.join(deployRoot, "config"));
    writeFileSync(path.join(deployRoot, "config/feeds.txt"), "https://deploy.example/feed.xml\n");
    Object.assign(globalThis, {
      $config: (value: SstConfig) => value,
      $cli: { paths: { root: deployRoot } },
      sst: {
        Secret: component("sst.Secret"),
        aws: {
          Dynamo: component("sst.aws.Dynamo"),
          Function: component("sst.aws.Function"),
          CronV2: component("sst.aws.CronV2"),
          Queue: component("sst.aws.Queue"),
        },
      },
    });
    for (const name of [...Object.keys(DEPLOY_ENV), "EVENTWIRE_SOURCES", "EVENTWIRE_PUBLIC_URL", "EVENTWIRE_THEMES"])
      savedEnv[name] = process.env[name];
    Object.assign(process.env, DEPLOY_ENV);
    delete process.env.EVENTWIRE_SOURCES;
    delete process.env.EVENTWIRE_PUBLIC_URL;
    delete process.env.EVENTWIRE_THEMES;
    // A computed specifier keeps tsc from type-checking sst.config.ts, whose types come from .sst/.
    const specifier = new URL("../../sst.config.ts", import.meta.url).href;
    loaded.config = ((await import(/* @vite-ignore */ specifier)) as { default: SstConfig }).default;
    loaded.outputs = await loaded.config.run();
    loaded.infra = (await import(
      /* @vite-ignore */ new URL("../../infra/functions.ts", import.meta.url).href
    )) as FunctionsModule;
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(deployRoot, { recursive: true, force: true });
  });
}

/** The one component of this kind and name. */
export function one(kind: string, name: string): Declared {
  const matches = declared.filter((entry) => entry.kind === kind && entry.name === name);
  expect(matches, `${kind}("${name}") declared once`).toHaveLength(1);
  return matches[0] as Declared;
}

export function arnOf(entry: Declared): string {
  return (entry.instance as { arn: string }).arn;
}

/** The arguments of the function a subscription runs: given inline, or a declared function's by its ARN. */
export function subscriberArgs(subscription: Subscription): Record<string, unknown> {
  if (typeof subscription.subscriber !== "string") return subscription.subscriber;
  const arn = subscription.subscriber;
  const matches = declared.filter((entry) => entry.kind === "sst.aws.Function" && arnOf(entry) === arn);
  expect(matches, `one declared function has the ARN ${arn}`).toHaveLength(1);
  return (matches[0] as Declared).args;
}

/** "5 minutes" or "30 seconds" as seconds (0 when unreadable). */
export function durationSeconds(value: unknown): number {
  const [, amount = "0", unit = ""] = /^(\d+) (seconds?|minutes?)$/.exec(String(value)) ?? [];
  return Number(amount) * (unit.startsWith("minute") ? 60 : 1);
}

/** The arguments of every Lambda function infra/ declares: on its own, or inline in a schedule or a subscription. */
export function declaredFunctions(): Record<string, unknown>[] {
  return [
    ...declared.filter((entry) => entry.kind === "sst.aws.Function").map((entry) => entry.args),
    ...declared
      .filter((entry) => entry.kind === "sst.aws.CronV2" && typeof entry.args.function !== "string")
      .map((entry) => entry.args.function as Record<string, unknown>),
    ...subscriptions.filter((subscription) => typeof subscription.subscriber !== "string").map(subscriberArgs),
  ];
}

/** Which of LAMBDA_HANDLERS a declared function deploys, by its bundle folder. */
export function lambdaOf(fn: Record<string, unknown>): LambdaName {
  const name = names.find((candidate) => fn.bundle === bundleDir(path.join(deployRoot, BUNDLE_ROOT), candidate));
  expect(name, `${String(fn.bundle)} is the folder of a built function`).toBeDefined();
  return name as LambdaName;
}

export function declaredFunction(name: LambdaName): Record<string, unknown> {
  const matches = declaredFunctions().filter((fn) => lambdaOf(fn) === name);
  expect(matches, `one function deploys ${name}`).toHaveLength(1);
  return matches[0] as Record<string, unknown>;
}

/** The queue consumer permissions a function subscribed by ARN to `queue` must hold. */
export function expectConsumerOf(fn: Record<string, unknown>, queue: Declared): void {
  expect(fn.permissions).toEqual([
    {
      actions: expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]),
      resources: [arnOf(queue)],
    },
  ]);
}
