import { defineConfig } from "vitest/config";

// Three projects: `unit` (pure, fast), `integration` (DynamoDB Local, real HTTP servers on
// 127.0.0.1) and `interop` (real clients: Debian's python3-feedparser). `npm test` runs the
// first two; `npm run test:interop` the third.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "interop",
          include: ["test/interop/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts", "test/support/interop-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
