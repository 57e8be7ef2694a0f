import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundles } from "./build";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundles = await buildBundles(root, path.join(root, "dist"));
for (const bundle of bundles) {
  process.stdout.write(`${path.relative(root, bundle.file)}  ${(bundle.bytes / 1024).toFixed(0)} KB  (${bundle.handler})\n`);
}
