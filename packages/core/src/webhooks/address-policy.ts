import ipaddr from "ipaddr.js";

/** Why an address may not be the target of a server-side request. */
export type BlockedAddressKind =
  | "loopback"
  | "private"
  | "link-local"
  | "carrier-grade NAT"
  | "cloud metadata"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "IPv4-embedding";

// The cloud providers' instance metadata services (AWS, GCP and Azure share the IPv4 one) and
// the ECS task credentials endpoint: never a local receiver, so refused even where private
// addresses are allowed.
const METADATA = new Set(["169.254.169.254", "169.254.170.2", "fd00:ec2::254"]);

const KIND_OF_RANGE: Record<string, BlockedAddressKind> = {
  loopback: "loopback",
  private: "private",
  uniqueLocal: "private",
  linkLocal: "link-local",
  carrierGradeNat: "carrier-grade NAT",
  unspecified: "unspecified",
  multicast: "multicast",
  broadcast: "broadcast",
  // Addresses that carry an IPv4 address inside: NAT64, 6to4, Teredo and friends could reach a
  // private IPv4 host through a gateway, so they are refused rather than unpacked.
  rfc6052: "IPv4-embedding",
  rfc6145: "IPv4-embedding",
  "6to4": "IPv4-embedding",
  teredo: "IPv4-embedding",
};

/** The address text without IPv6 brackets, as `URL.hostname` gives it (`[::1]`). */
function bare(address: string): string {
  return address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
}

/** True when `host` is an IP address literal (IPv4 in the dotted form URL parsing leaves, or IPv6). */
export function isIpLiteral(host: string): boolean {
  const text = bare(host);
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

/**
 * Classifies an IP address for server-side requests: null when it is a public unicast address,
 * else the kind of range that makes it unfit (loopback, private, link-local, CGNAT, the cloud
 * metadata address, …). IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 inside.
 * Anything that is not an address at all is "reserved", so a caller never lets it through.
 */
export function blockedAddressKind(address: string): BlockedAddressKind | null {
  const text = bare(address);
  if (!ipaddr.isValid(text)) return "reserved";
  const parsed = ipaddr.process(text);
  if (METADATA.has(parsed.toString())) return "cloud metadata";
  const range = parsed.range();
  if (parsed.kind() === "ipv6") {
    const embedded = embeddedIpv4(parsed as ipaddr.IPv6, range);
    if (embedded !== null) {
      // The IPv4 inside decides when it is blocked (a NAT64 gateway or an old stack may reach
      // it), so the metadata service stays "cloud metadata" in these forms too; a public one
      // is still refused, as these forms have no legitimate use for a webhook.
      return blockedAddressKind(embedded.toString()) ?? "IPv4-embedding";
    }
  }
  if (range === "unicast") return null;
  return KIND_OF_RANGE[range] ?? "reserved";
}

/**
 * The IPv4 address in the last 32 bits of an IPv4-compatible (`::a.b.c.d`, the deprecated
 * ::/96 form, which ipaddr.js calls unicast) or NAT64 (64:ff9b::/96) IPv6 address; else null.
 */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | null {
  const parts = address.parts;
  const compatible = range === "unicast" && parts.slice(0, 6).every((part) => part === 0);
  if (!compatible && range !== "rfc6052") return null;
  const high = parts[6] ?? 0;
  const low = parts[7] ?? 0;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
