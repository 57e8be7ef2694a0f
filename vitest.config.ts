import { defineConfig } from "vitest/config";

// Four projects: `unit` (pure, fast), `integration` (DynamoDB Local, real HTTP servers on
// 127.0.0.1), `interop` (real clients: Debian's python3-feedparser) and `peer` (other feed
// readers' test corpora from ../shared/peer-feeds, through the ingestion path). `npm test` runs
// the first two; `npm run test:interop` and `npm run test:peer` the others.
// The SDK warns on every Node 20 process that later releases will need Node 22: in the test
// workers (env below) and in this process, where the global setup starts DynamoDB Local.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "interop",
          include: ["test/interop/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts", "test/support/interop-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "peer",
          include: ["test/peer/**/*.test.ts"],
          testTimeout: 60_000,
          // Reading the 2,100 files of feedparser's corpus takes about 20 s on one core.
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
