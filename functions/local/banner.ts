import { type Source, sourceStatus } from "@eventwire/core";
import type { SeedSourcesResult } from "@eventwire/pipeline";

/** The Node.js major release the project is built and deployed for (Lambda's nodejs22.x). */
const SUPPORTED_NODE_MAJOR = 22;

export type StartBannerInput = {
  apiUrl: string;
  theme: string;
  dynamoEndpoint: string;
  tableName: string;
  /** The admin key itself (demo) or where it is kept. */
  adminKey: string;
  /** Where the data is kept; null for the demo, which keeps it in memory. */
  dataDir: string | null;
  demo: { outlets: number; feedsUrl: string; batch: number; everySeconds: number } | null;
  /** The sources as stored now, and the configured URLs that could not be added. */
  sources: readonly Source[];
  refused: SeedSourcesResult["refused"];
  /** `process.version`. */
  nodeVersion: string;
};

const INDENT = "             ";

/** What the sources look like at start: how many, which fail and why, and where to go offline. */
function sourceLines(input: StartBannerInput): string[] {
  const enabled = input.sources.filter((source) => source.enabled);
  const failing = enabled.filter((source) => sourceStatus(source) === "failing");
  const lines: string[] = [];
  if (enabled.length === 0 && input.refused.length === 0) {
    lines.push(
      "  sources    none: set EVENTWIRE_SOURCES or EVENTWIRE_SOURCES_FILE, or add one with `npm run cli -- sources add URL`",
    );
  } else {
    const first = failing[0];
    lines.push(`  sources    ${enabled.length} enabled, ${failing.length} failing${first ? `: ${first.lastError}` : ""}`);
    if (failing.length > 0) {
      lines.push(`${INDENT}each is retried with back-off; \`npm run cli -- sources list\` says why each fails`);
    }
  }
  for (const { url, error } of input.refused) lines.push(`  not added  ${url}: ${error}`);
  if (input.demo === null && failing.length + input.refused.length > 0) {
    lines.push(`${INDENT}no internet here? \`npm run demo\` runs on a bundled sample corpus, no network needed`);
  }
  return lines;
}

/** The lines `start` prints once the stack is up: where everything is, and what needs a look. */
export function startBanner(input: StartBannerInput): string {
  const { apiUrl, demo } = input;
  const major = Number(/^v?(\d+)/.exec(input.nodeVersion)?.[1]);
  return [
    "",
    `eventwire is running${demo ? " (demo)" : ""}`,
    `  home       ${apiUrl}/`,
    `  API        ${apiUrl}/api/v1/articles`,
    `  feeds      ${apiUrl}/feeds/${input.theme}.rss  .atom  .json`,
    `  health     ${apiUrl}/health`,
    `  DynamoDB   ${input.dynamoEndpoint} (table ${input.tableName})`,
    `  admin key  ${input.adminKey}`,
    demo
      ? `  demo       ${demo.outlets} outlets on ${demo.feedsUrl}, ${demo.batch} articles every ${demo.everySeconds} s`
      : `  data       ${input.dataDir}`,
    ...sourceLines(input),
    ...(major < SUPPORTED_NODE_MAJOR
      ? [`  node       ${input.nodeVersion} is past its end of life; use Node.js ${SUPPORTED_NODE_MAJOR} LTS`]
      : []),
    ...(demo
      ? [
          "",
          "Webhooks: start a receiver on 127.0.0.1:9999 (see docs/webhooks.md), then subscribe it:",
          `  curl -s -X POST ${apiUrl}/api/v1/subscriptions -H 'Authorization: Bearer ${input.adminKey}' \\`,
          `    -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:9999/hook","types":["event.created","event.corroborated"]}'`,
        ]
      : []),
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
