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

// The cloud providers' instance metadata services (AWS, GCP and Azure share the IPv4 one).
const METADATA = new Set(["169.254.169.254", "fd00:ec2::254"]);

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
  if (range === "unicast") return null;
  return KIND_OF_RANGE[range] ?? "reserved";
}
