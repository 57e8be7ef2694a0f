import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { SigningSecret } from "./model";

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The secrets that sign at `now`: the newest, and older ones until they expire. */
export function activeSecrets(secrets: readonly SigningSecret[], now: Date): string[] {
  return secrets.filter((entry) => entry.expiresAt === null || entry.expiresAt > now.toISOString()).map((entry) => entry.secret);
}

/**
 * The Standard Webhooks headers for one attempt: `webhook-id` (the message id, the same on every
 * attempt), `webhook-timestamp` (seconds) and `webhook-signature` with one `v1,…` signature per
 * active secret, so a receiver holding either secret during a rotation verifies it.
 */
export function signMessage(secrets: readonly string[], messageId: string, at: Date, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error(`message ${messageId}: no signing secret`);
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body));
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
