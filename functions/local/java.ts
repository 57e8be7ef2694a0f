import { spawnSync } from "node:child_process";
import path from "node:path";

const MIN_JAVA = 17;

export class MissingPrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingPrerequisiteError";
  }
}

const INSTALL_HINT =
  "Install a Java runtime 17 or newer (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) or point JAVA_HOME at one.";

/** The `java` command to run: $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on PATH. */
function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, "bin", "java") : "java";
}

/** Reads the major version out of `java -version` output ("17.0.15", "1.8.0_392", "21"). */
export function parseJavaMajor(output: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match?.[1] === undefined) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/**
 * Checks that Java 17+ can run, as DynamoDB Local needs it; throws a MissingPrerequisiteError
 * that says what is missing and how to install it.
 */
export function requireJava(env: NodeJS.ProcessEnv = process.env): { command: string; major: number } {
  const command = javaCommand(env);
  const result = spawnSync(command, ["-version"], { encoding: "utf8" });
  if (result.error !== undefined) {
    throw new MissingPrerequisiteError(
      `DynamoDB Local needs Java ${MIN_JAVA}+, and "${command}" could not be run (${result.error.message}). ${INSTALL_HINT}`,
    );
  }
  const major = parseJavaMajor(`${result.stderr}${result.stdout}`);
  if (major === null || major < MIN_JAVA) {
    throw new MissingPrerequisiteError(
      `DynamoDB Local needs Java ${MIN_JAVA}+, and "${command}" is ${major === null ? "of an unknown version" : `Java ${major}`}. ${INSTALL_HINT}`,
    );
  }
  return { command, major };
}
