// `npm run lint`'s import rules: installs this folder's own dependency-cruiser (and the
// TypeScript 5 compiler API it parses with) on first use, then checks the layering and import
// circles of the whole tree against config.cjs. Exits non-zero on any violation.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = path.join(here, "node_modules", ".bin", "depcruise");

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(bin)) run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], here);
run(bin, ["--config", path.join(here, "config.cjs"), "packages", "functions", "infra", "test", "bin", "sst.config.ts"], root);
