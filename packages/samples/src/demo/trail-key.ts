import { createPrivateKey, createPublicKey, createSign } from "node:crypto";
import { publicKeyFingerprint } from "@app/core/integrity/public-keys";

// A demo key, published with the code: it signs the demo's CloudTrail digests so `loglake verify` has a real chain
// to check offline. It proves nothing about any real trail; CloudTrail's own keys come from ListPublicKeys.
const DEMO_TRAIL_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCxhNeN/Qhly6tl
zDJN8ZYIIBD654Vc7YmWX8zCuPJ+H2Oh6hzbSkaNoaWhnqpMxK62EN0HqIOjHUSU
k39dS9JkHkq87s88qNEluD/uHhp9/Ax3GrqjlhrMo4gzh8LtTkNIwYnOKyZps+2E
PgUc/eIy+lJV8o9BYzpFwZJ8sJH9qsyluG4nuWlQ4CWjYU0x+ewbN8zQJaRe9sCg
zkihjQkQESlpJx4/S0ubc2FiYIpU/+1eIEw4aZH+YlNMCXd/J4sH6h+tACvNh+qX
fMjSCoi6zfMF7F5UmRDvtXCek5LoapoPhN3QOz25b16X9j47UWuMvCtQW1H7Bncx
XT+LqwVfAgMBAAECggEACjLaGXUN5vSbt8D9VjSzdxW0iV2vb/EmWZvOYpTdOvlo
WsndojbzCmRc5NtTPbmCWhZqRGwzh+BWFifKhkclYrgfeMRK5q7COVBhEo1AiLgS
1ULqscbyv4quTVuW4NWsEEGCPnSEg/J2NQXv0ERrxZxTtPlhrpLaAF5IdrPEPMEF
5BddC2rKSFp2ZVqJWA/obuDgh4FJR5wuoUIptWBHALDT/5RI0j9PVR4OljNBBxUJ
DLLfzeGRhlZWsmuAPvZmoOPLj3wApPyWeXiwiwOEf1iD8wDLeg8cnpApCtTXqP79
UVFNdAVT5WeEevZMz7moxTdYtYBGxwGMDUYzTUcm4QKBgQDoQ4Ky6EdX5dKl6KwH
TalXvqBOnQm3lzwf31rbnuGZun9iQyXcMUoJtM9xxFyGLRCZQXBEn3xzgfYQpCJW
HzCs+vGoM0zcETMqw0vA5aqJoQ9L4A4pOijZtp1ayG2lJ53Y7Zm34JjpL+d9xfJW
e7++S4LKojZ0NiXY8UuSS8M8oQKBgQDDqRi5R5fYtA8i7uV0T+fiTlZ3F1jWYkyi
lYrXAb3NB2nGTgtLJvAHBmwz9D1uWPPdHFdszATx+wV3SVjS51Nl2wkvSIERdL4g
s5+p7B8ezijnYzD0ZX7A+T4Bk1fEZwpmy8a4YSZXeqV/FW6/NlRwcddw08orS1qu
lJaVf9UB/wKBgQCnaXHdjrtNyePpninRIdM74bUetOZ6JFI8DvwobP7jlZ+Xrhqt
+gEJugAEWqruM7FRJe/MJsDHaRd5qzTsqpKlPEPPHxr5TJR68EW8Bk7D4QlrgVXz
tW4Ybx5Af1M4xbNq1ugDt6m/+r161KD2YUA146ukbwOdBCKHmnUEQAO7wQKBgAZ1
6u8TQhxRtb49jS4OBWYfmBNOngxWKpmjvnXjBNVkTUXTBeRxYLOarq/4fJ7MKSE/
8lMRWYhz9XY+4cP1B3fxh5gcGMbux+hkhf0iYtStkgQx7kfjog/VKwr6Roehr2I9
kE4+RvnUfup3VrTRonAkEi0TkTVkw5XIKkC9e9cZAoGBAITjbPnHTLilstw3DH8P
spkMwPZrDJ//RChccLf45LoGAzKw7zrZZr3sX1vDyw6o5pSklgx4zWSQ2JoZgzFu
fZ+ZrB18DPBGLdeRsU2+LE0VdIPBxULhJEb8pujPR4N1H5T5feFxzUpFO0Taxo0o
SWNHlV2nF3Jujwn6MAgJBFh7
-----END PRIVATE KEY-----
`;

const privateKey = createPrivateKey(DEMO_TRAIL_PRIVATE_KEY);

/** The demo key's public half as PEM, for `loglake verify --public-keys`. */
export const DEMO_TRAIL_PUBLIC_KEY = createPublicKey(privateKey).export({ type: "spki", format: "pem" }) as string;

/** The demo key's fingerprint, as the demo digests name it. */
export const DEMO_TRAIL_FINGERPRINT = publicKeyFingerprint(createPublicKey(privateKey));

/** SHA256withRSA signature (hex) of a digest's data signing string, as CloudTrail signs with its own key. */
export function signWithDemoKey(signingString: string): string {
  return createSign("sha256").update(signingString, "utf8").sign(privateKey, "hex");
}
