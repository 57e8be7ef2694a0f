import { spawnSync } from "node:child_process";

/** Debian's Python, where python3-feedparser installs (a python3 earlier on PATH may lack it). */
export const DEBIAN_PYTHON = "/usr/bin/python3";
/** Debian's Chromium, which playwright-core drives (it downloads no browser of its own). */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** Refuses to run the interop tests without Debian's feed reader, schema validator and Chromium. */
export default function setup() {
  const chromium = spawnSync(DEBIAN_CHROMIUM, ["--version"], { encoding: "utf8", timeout: 30_000 });
  if (chromium.error !== undefined || chromium.status !== 0) {
    throw new Error(
      `the interop tests need Debian's chromium at ${DEBIAN_CHROMIUM} ` +
        `(${chromium.error?.message ?? chromium.stderr.trim().split("\n").pop()}). ` +
        "Install it: sudo apt-get install -y chromium",
    );
  }
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import feedparser, jsonschema"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `the interop tests need Debian's python3-feedparser and python3-jsonschema under ${DEBIAN_PYTHON} ` +
        `(${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}). ` +
        "Install them: sudo apt-get install -y python3-feedparser python3-jsonschema",
    );
  }
}
