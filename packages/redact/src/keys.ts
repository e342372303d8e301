// Field names whose value is a credential. Names are compared lower-cased with separators removed, so `api_key`,
// `apiKey`, `X-Api-Key` and `API-KEY` are one name. Suffixes catch `masterUserPassword`, `clientSecret`,
// `githubToken`-style names without catching identifiers such as `secretId`, `keyId` or `nextToken` (a pagination
// cursor CloudTrail records on most List calls).

const EXACT = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "token",
  "authorization",
  "proxyauthorization",
  "apikey",
  "secretkey",
  "privatekey",
  "secretstring",
  "secretbinary",
  "tokencode",
]);

const SUFFIXES = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "secretkey",
  "secretaccesskey",
  "apikey",
  "privatekey",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "sessiontoken",
  "securitytoken",
  "authtoken",
  "apitoken",
  "bearertoken",
  "oauthtoken",
  "csrftoken",
  "xsrftoken",
];

/** Fragments one of the names contains, as a case-insensitive regular expression source (a cheap pre-check). */
export const SECRET_KEY_FRAGMENTS = "pass|pwd|secret|token|authoriz|api[_. -]?key|private[_. -]?key";

const FRAGMENT = new RegExp(SECRET_KEY_FRAGMENTS, "i");

/**
 * True when a field of this name holds a credential (`password`, `client_secret`, `X-Api-Key`, …). The name must
 * also hold one of the fragments as written, so a pre-check of the fragments never passes a credential name by
 * (`to_ken` is no credential name).
 */
export function isSecretKey(name: string): boolean {
  if (name.length < 3 || name.length > 64 || !FRAGMENT.test(name)) return false;
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (EXACT.has(n)) return true;
  for (const s of SUFFIXES) if (n.endsWith(s)) return true;
  return false;
}
