import { spawnSync } from "node:child_process";

/** Debian's Python, where python3-feedparser installs (a python3 earlier on PATH may lack it). */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** Refuses to run the interop tests without Debian's feed reader and schema validator. */
export default function setup() {
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import feedparser, jsonschema"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `the interop tests need Debian's python3-feedparser and python3-jsonschema under ${DEBIAN_PYTHON} ` +
        `(${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}). ` +
        "Install them: sudo apt-get install -y python3-feedparser python3-jsonschema",
    );
  }
}
