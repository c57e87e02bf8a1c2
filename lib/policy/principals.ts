// Principal and NotPrincipal (IAM User Guide, "AWS JSON policy elements: Principal",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
// `"*"`, or an object of `AWS` (`*`, an account id, an account's root, user, role, assumed-role or
// federated-user ARN, CloudFront's origin access identity), `Service` (a service principal),
// `CanonicalUser` (64 hex digits) and `Federated` (an identity provider) — each one name or a list.
// Anything else, and a wildcard inside a name, is "Invalid principal in policy", as S3 answers.
//
// Who matches. This service's callers are accounts' root users (their access keys). An account id or
// `arn:aws:iam::<account>:root` names the account: its root matches. A user, role or session ARN
// names that identity, not the root, so the root does not match it (IAM: "When you specify users in
// a Principal element … you grant permission to that user only"); nor do service, canonical-user or
// federated principals. NotPrincipal matches everyone it does not name (docs/accounts.md › Principals).

import { isAccountId } from '../request.ts';
import { type Budget, valueList } from './limits.ts';
import { MESSAGES, malformed } from './messages.ts';

export interface PrincipalSet {
  /** `NotPrincipal`: the statement is about everyone the set does not name. */
  readonly negated: boolean;
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly everyone: boolean;
  /** The names as written, by kind. */
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly canonicalUser: readonly string[];
  readonly federated: readonly string[];
  /** The accounts whose root user the set names (ids and `:root` ARNs). */
  readonly rootAccounts: ReadonlySet<string>;
}

const ROOT = /^arn:aws:iam::(\d{12}):root$/;
// `user/Name` or `user/path/…/Name` (IAM: names of [\w+=,.@-], paths of printable ASCII), no wildcards.
const IAM_ARN = /^arn:aws:iam::\d{12}:(?:user|role)\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]+$/;
const STS_ARN =
  /^arn:aws:sts::\d{12}:(?:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/;
const ORIGIN_ACCESS_IDENTITY = /^arn:aws:iam::cloudfront:user\/CloudFront Origin Access Identity [A-Z0-9]+$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.(?:amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$/;
const CANONICAL_USER = /^[0-9a-fA-F]{64}$/;
const PROVIDER_ARN = /^arn:aws:iam::\d{12}:(?:saml-provider\/[\w+=,.@-]+|oidc-provider\/[\x21-\x7e]+)$/;
const HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;

const validAwsName = (name: string): boolean =>
  name === '*' ||
  isAccountId(name) ||
  ROOT.test(name) ||
  (IAM_ARN.test(name) && !name.includes('*') && !name.includes('?')) ||
  STS_ARN.test(name) ||
  ORIGIN_ACCESS_IDENTITY.test(name);

const KINDS = ['AWS', 'Service', 'CanonicalUser', 'Federated'] as const;
const VALID: Readonly<Record<(typeof KINDS)[number], (name: string) => boolean>> = {
  AWS: validAwsName,
  Service: (name) => SERVICE.test(name),
  CanonicalUser: (name) => CANONICAL_USER.test(name),
  Federated: (name) => HOST.test(name) || PROVIDER_ARN.test(name),
};

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Principal or NotPrincipal element; throws MalformedPolicy. */
export function parsePrincipal(value: unknown, negated: boolean, budget: Budget): PrincipalSet {
  const names: Record<(typeof KINDS)[number], string[]> = {
    AWS: [],
    Service: [],
    CanonicalUser: [],
    Federated: [],
  };
  if (value === '*') {
    budget.take(1);
    return {
      negated,
      everyone: true,
      aws: [],
      service: [],
      canonicalUser: [],
      federated: [],
      rootAccounts: new Set(),
    };
  }
  if (!isObject(value) || Object.keys(value).length === 0) throw malformed(MESSAGES.principal);
  for (const [kind, raw] of Object.entries(value)) {
    const valid = (KINDS as readonly string[]).includes(kind)
      ? VALID[kind as (typeof KINDS)[number]]
      : undefined;
    if (!valid) throw malformed(MESSAGES.principal);
    const list = valueList(raw, budget, MESSAGES.principal);
    if (!list.every(valid)) throw malformed(MESSAGES.principal);
    names[kind as (typeof KINDS)[number]] = list;
  }
  const rootAccounts = new Set<string>();
  for (const name of names.AWS) {
    const account = isAccountId(name) ? name : ROOT.exec(name)?.[1];
    if (account) rootAccounts.add(account);
  }
  return {
    negated,
    everyone: names.AWS.includes('*'),
    aws: names.AWS,
    service: names.Service,
    canonicalUser: names.CanonicalUser,
    federated: names.Federated,
    rootAccounts,
  };
}

/** Whether the statement's principal element covers the root user of `account`. */
export function coversAccountRoot(principal: PrincipalSet, account: string): boolean {
  const named = principal.everyone || principal.rootAccounts.has(account);
  return principal.negated ? !named : named;
}
