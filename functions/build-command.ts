import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLE_ROOT } from "../infra/bundles";
import { buildBundles } from "./build";
import { ConfigError } from "./config";
import { loadThemeList } from "./themes-config";

// `npm run build [-- --analyze [--top N]]`: the Lambda bundles under dist/, one folder a function,
// which is what `sst deploy` ships (infra/functions.ts); with --analyze the parts (npm packages,
// workspace packages) that take each bundle's bytes, largest first.
const { values } = parseArgs({
  options: { analyze: { type: "boolean", default: false }, top: { type: "string", default: "15" } },
  strict: true,
});
const top = Number(values.top);
if (!Number.isInteger(top) || top < 1) throw new Error(`--top takes a whole number above 0 (got "${values.top}")`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The theme files a deploy ships (EVENTWIRE_THEMES, relative to the project root as infra reads
// them) are checked as each function checks them at its cold start: `npm run deploy` (build,
// then `sst deploy`) stops here on a bad one, before anything is deployed.
if (process.env.EVENTWIRE_THEMES !== undefined) {
  try {
    loadThemeList(process.env.EVENTWIRE_THEMES, root);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`npm run build: ${error.message}\n`);
    process.exit(1);
  }
}
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const bundles = await buildBundles(root, path.join(root, BUNDLE_ROOT));
for (const bundle of bundles) {
  process.stdout.write(`${path.relative(root, bundle.file)}  ${kb(bundle.bytes)}  (${bundle.handler})\n`);
  if (!values.analyze) continue;
  const parts = Object.entries(bundle.parts).sort((a, b) => b[1] - a[1]);
  for (const [part, bytes] of parts.slice(0, top)) process.stdout.write(`  ${kb(bytes).padStart(7)}  ${part}\n`);
  const rest = parts.slice(top).reduce((sum, [, bytes]) => sum + bytes, 0);
  if (rest > 0) process.stdout.write(`  ${kb(rest).padStart(7)}  (${parts.length - top} more)\n`);
}
