/**
 * MITRE ATT&CK Enterprise tactics a detection may name in `-- tactics:`, in the matrix's kill-chain order; the
 * report groups its sections by these names.
 */
export const ATTACK_TACTICS = {
  TA0043: "Reconnaissance",
  TA0042: "Resource Development",
  TA0001: "Initial Access",
  TA0002: "Execution",
  TA0003: "Persistence",
  TA0004: "Privilege Escalation",
  TA0005: "Defense Evasion",
  TA0006: "Credential Access",
  TA0007: "Discovery",
  TA0008: "Lateral Movement",
  TA0009: "Collection",
  TA0011: "Command and Control",
  TA0010: "Exfiltration",
  TA0040: "Impact",
} as const;
export type TacticId = keyof typeof ATTACK_TACTICS;

/** True for a tactic id `ATTACK_TACTICS` knows. */
export function isTacticId(id: string): id is TacticId {
  return Object.hasOwn(ATTACK_TACTICS, id);
}

/** ATT&CK technique or sub-technique id: `T1098` or `T1098.001`. */
export const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

/**
 * The monitoring controls (section 4) of the CIS Amazon Web Services Foundations Benchmark v1.5.0: each asks for a
 * metric filter and alarm on the CloudTrail events named.
 */
export const CIS_CONTROLS = {
  "4.1": "Unauthorized API calls",
  "4.2": "Management Console sign-in without MFA",
  "4.3": "Usage of the root account",
  "4.4": "IAM policy changes",
  "4.5": "CloudTrail configuration changes",
  "4.6": "AWS Management Console authentication failures",
  "4.7": "Disabling or scheduled deletion of customer created CMKs",
  "4.8": "S3 bucket policy changes",
  "4.9": "AWS Config configuration changes",
  "4.10": "Security group changes",
  "4.11": "Network Access Control List (NACL) changes",
  "4.12": "Changes to network gateways",
  "4.13": "Route table changes",
  "4.14": "VPC changes",
  "4.15": "AWS Organizations changes",
} as const;
export type CisControl = keyof typeof CIS_CONTROLS;

/** True for a control id `CIS_CONTROLS` knows. */
export function isCisControl(id: string): id is CisControl {
  return Object.hasOwn(CIS_CONTROLS, id);
}

/** Stratus Red Team technique id, e.g. `aws.persistence.iam-backdoor-role`. */
export const STRATUS_ID = /^aws\.[a-z-]+\.[a-z0-9-]+$/;
