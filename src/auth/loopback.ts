// Loopback names and addresses: the embedded default lives on them, and only there may a member
// sign in by typing an email, or the plane talk plain http to its OpenID provider.

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const isIpv4Loopback = (address: string) => {
  const match = IPV4_LOOPBACK.exec(address)
  return match !== null && match.slice(1).every((octet) => Number(octet) <= 255)
}

/** A URL's hostname (as `URL.hostname` spells it: IPv6 in brackets) that names this machine. */
export const isLoopbackHostname = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || isIpv4Loopback(hostname)

/** A client address (as CF-Connecting-IP carries it) on this machine. */
export const isLoopbackAddress = (address: string): boolean => {
  const a = address.trim().toLowerCase()
  return a === "::1" || isIpv4Loopback(a) || (a.startsWith("::ffff:") && isIpv4Loopback(a.slice(7)))
}
