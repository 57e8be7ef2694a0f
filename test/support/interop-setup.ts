import { spawnSync } from "node:child_process";

/** Debian's Python, where python3-feedparser installs (a python3 earlier on PATH may lack it). */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** Refuses to run the interop tests without python3-feedparser, saying how to get it. */
export default function setup() {
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import feedparser; print(feedparser.__version__)"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `the interop tests need Debian's python3-feedparser under ${DEBIAN_PYTHON} ` +
        `(${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}). Install it: sudo apt-get install -y python3-feedparser`,
    );
  }
}
