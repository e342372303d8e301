/**
 * The cast of the demo data set: one AWS account behind one CloudFront distribution and two applications, with
 * normal users and the attackers whose traces the saved reports should find. Every address is from the
 * documentation ranges (RFC 5737, RFC 3849), so no real host is named.
 */
export const DEMO = {
  accountId: "111122223333",
  region: "us-east-1",
  secondaryRegion: "eu-west-1",
  trailName: "management-events",
  trailBucket: "aws-cloudtrail-logs-111122223333-3f1a",
  distributionId: "E2QWRUHAPOMQZL",
  distributionDomain: "d111111abcdef8.cloudfront.net",
  siteHost: "www.example.com",
  /** Viewer and office addresses of normal users. */
  userNets: ["198.51.100.", "192.0.2."],
  userNet6: "2001:db8:",
  /** The office network the IAM users normally work from. */
  officeIps: ["198.51.100.10", "198.51.100.11", "198.51.100.12"],
  /** NAT gateway address of the application servers. */
  natIp: "192.0.2.10",
  /** CI runner address of the deploy user. */
  ciIp: "192.0.2.44",
  /** Attackers and misbehaving clients (all in 203.0.113.0/24). */
  scannerIp: "203.0.113.50",
  niktoIp: "203.0.113.88",
  sqlmapIp: "203.0.113.77",
  errorSpikeIp: "203.0.113.99",
  bruteForceIp: "203.0.113.66",
  /** Address the stolen deploy key and the root login without MFA come from. */
  intruderIp: "203.0.113.10",
  /** Heavy downloaders (legitimate but bandwidth-hungry). */
  heavyIps: ["192.0.2.200", "198.51.100.250"],
  /** A benign new address for an IAM user working from home. */
  aliceHomeIp: "198.51.100.77",
  /** App user attacked by a distributed brute force, and the one taken over by the credential stuffing. */
  bruteForcedUser: "u-admin",
  takenOverUser: "u-1077",
  /** App user who logs in from a new address (benign travel) on the last day. */
  travellingUser: "u-1001",
  travellerNewIp: "198.51.100.180",
  appServices: { auth: "auth-service", api: "orders-api" },
  slowPath: "/api/reports/export",
  errorSpikePath: "/api/orders",
} as const;

/**
 * When the incidents happen: UTC hour on the last demo day (the earlier days are the baseline).
 * Reports over "the last day against the previous seven" see each of them once.
 */
export const INCIDENT_HOURS = {
  scanner: 2,
  nikto: 3,
  sqlmap: 4,
  appBruteForceUser: 5,
  appCredentialStuffing: 6,
  consoleLoginFailures: 7,
  rootLoginWithoutMfa: 7,
  cloudfront5xx: 9,
  app5xx: 11,
  intruder: 13,
  apiRateSpike: 15,
  errorRateSpike: 18,
} as const;

/** How many records each incident produces, so tests and docs can state the expected counts. */
export const INCIDENT_COUNTS = {
  scannerDistinctPaths: 160,
  niktoRequests: 120,
  sqlmapRequests: 90,
  cloudfront5xx: 120,
  heavyDownloadsPerDay: 12,
  appBruteForceFailures: 60,
  appStuffingFailures: 80,
  consoleLoginFailuresHidden: 8,
  consoleLoginFailuresKnownUser: 4,
  accessDenied: 45,
  apiRateSpike: 360,
  errorRateSpike: 150,
  app5xx: 40,
} as const;
