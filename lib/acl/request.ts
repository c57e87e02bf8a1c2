// What an ACL request asks for — PutBucketAcl's canned ACL header, grant headers or
// AccessControlPolicy body, and CreateBucket's ACL headers — validated as AWS validates them, then
// reduced to the one question this service can act on: does it give the bucket owner full control and
// nobody anything (`owner-only`), or does it grant others (`grants-others`)? This service keeps no
// ACLs: with ACLs disabled (BucketOwnerEnforced) AWS accepts only the owner's full control, and the
// handlers refuse the rest (docs/behaviour.md "Object Ownership and ACLs"). Pure; throws only S3Errors.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html

import { isAcceptedNamespace, type NamespaceOptions, type Profile } from '../encryption/profiles.ts';
import { invalidArgument, invalidRequest, notImplemented, S3Error } from '../errors.ts';
import { isAccountId } from '../request.ts';
import { textContent, type XmlElement } from '../xml/read.ts';
import { readDocument, schemaChildren } from '../xml/schema.ts';

/**
 * What an ACL grants: the owner's full control only; something to others; or something to everyone —
 * a public ACL, as Block Public Access defines it (User Guide, "Blocking public access to your Amazon S3
 * storage": "any permissions to members of the predefined AllUsers or AuthenticatedUsers groups");
 * or a grant to someone named by e-mail address, which S3 no longer takes.
 */
export type AclVerdict = 'owner-only' | 'grants-others' | 'public' | 'by-email';

/** `x-amz-` or, for a request in Huawei OBS's dialect, `x-obs-` (OBS names its ACL headers so). */
export type AclHeaderPrefix = 'x-amz-' | 'x-obs-';

// S3's canned ACLs (User Guide, "Canned ACL") and OBS's two `-delivered` ones. Only these two grant
// the owner full control and nobody anything.
const CANNED_ACLS = new Set([
  'private',
  'public-read',
  'public-read-write',
  'aws-exec-read',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
  'public-read-delivered',
  'public-read-write-delivered',
]);
const OWNER_ONLY_CANNED = new Set(['private', 'bucket-owner-full-control']);
// The canned ACLs that grant AllUsers or AuthenticatedUsers (OBS's `-delivered` forms grant Everyone).
const PUBLIC_CANNED = new Set([
  'public-read',
  'public-read-write',
  'authenticated-read',
  'public-read-delivered',
  'public-read-write-delivered',
]);

// The grant headers (S3's five, and OBS's `-delivered` forms).
const GRANT_HEADERS = [
  'grant-read',
  'grant-write',
  'grant-read-acp',
  'grant-write-acp',
  'grant-full-control',
  'grant-read-delivered',
  'grant-full-control-delivered',
];

/** S3's predefined groups, the only `uri` a grant may name. */
const GROUPS = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  'http://acs.amazonaws.com/groups/s3/LogDelivery',
]);

/** The groups whose grants make an ACL public. */
const PUBLIC_GROUPS = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
]);

const PERMISSIONS = new Set(['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP']);

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

type Grantee =
  | { type: 'CanonicalUser'; id: string }
  | { type: 'Group'; public: boolean }
  | { type: 'AmazonCustomerByEmail' };

const isPublic = (grantee: Grantee) => grantee.type === 'Group' && grantee.public;

/** The verdict on an ACL that does not give the owner alone full control. */
const othersVerdict = (grantees: readonly Grantee[]): AclVerdict =>
  grantees.some((grantee) => grantee.type === 'AmazonCustomerByEmail')
    ? 'by-email'
    : grantees.some(isPublic)
      ? 'public'
      : 'grants-others';

// `id="123", uri="http://…"`: one grantee, then a comma or the end.
const GRANTEE = /\s*(id|uri|emailAddress)\s*=\s*(?:"([^"]*)"|([^\s,"]+))\s*(?:,|$)/y;

/** The grantees of one grant header, as AWS reads them; anything else is InvalidArgument. */
function granteesOf(header: string, value: string): Grantee[] {
  const unrecognized = () => invalidArgument('Argument format not recognized', header, value);
  const grantees: Grantee[] = [];
  GRANTEE.lastIndex = 0;
  while (GRANTEE.lastIndex < value.length) {
    const match = GRANTEE.exec(value);
    if (!match) throw unrecognized();
    const [, key, quoted, bare] = match;
    const text = quoted ?? bare ?? '';
    if (key === 'uri' && !GROUPS.has(text)) throw invalidArgument('Invalid group uri', 'uri', text);
    // A grantee's canonical ID here is an account's id (docs/behaviour.md "Object Ownership and ACLs"):
    // anything else names nobody, which AWS answers InvalidArgument "Invalid id".
    if (key === 'id' && !isAccountId(text)) throw invalidArgument('Invalid id', 'id', text);
    grantees.push(
      key === 'id'
        ? { type: 'CanonicalUser', id: text }
        : key === 'uri'
          ? { type: 'Group', public: PUBLIC_GROUPS.has(text) }
          : { type: 'AmazonCustomerByEmail' },
    );
    if (match[0].trimEnd().endsWith(',') && GRANTEE.lastIndex >= value.length) throw unrecognized();
  }
  if (grantees.length === 0) throw unrecognized();
  return grantees;
}

/**
 * The ACL a request's headers ask for: `none` when they name none; `owner-only` for `private` or
 * `bucket-owner-full-control`, or full control granted to the owner's id alone. A canned ACL together
 * with grant headers is InvalidRequest; an unknown canned ACL or grant syntax InvalidArgument (AWS
 * validates the ACL before it looks at Object Ownership: LocalStack's snapshot test_s3_bucket_acl_exceptions).
 */
export function readAclHeaders(
  headers: Readonly<Record<string, string>>,
  prefix: AclHeaderPrefix,
  ownerId: string,
): AclVerdict | 'none' {
  const canned = headers[`${prefix}acl`];
  const grants = GRANT_HEADERS.flatMap((name) => {
    const value = headers[`${prefix}${name}`];
    return value === undefined ? [] : [[`${prefix}${name}`, value] as const];
  });
  if (canned !== undefined && grants.length > 0) {
    throw invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (canned !== undefined) {
    // AWS answers it with an empty Message (LocalStack's AWS-validated snapshot, put-bucket-canned-acl).
    if (!CANNED_ACLS.has(canned)) throw invalidArgument('', `${prefix}acl`, canned);
    if (OWNER_ONLY_CANNED.has(canned)) return 'owner-only';
    return PUBLIC_CANNED.has(canned) ? 'public' : 'grants-others';
  }
  if (grants.length === 0) return 'none';
  let ownerOnly = true;
  const everyGrantee: Grantee[] = [];
  for (const [header, value] of grants) {
    const grantees = granteesOf(header, value);
    everyGrantee.push(...grantees);
    const toOwner = grantees.every((grantee) => grantee.type === 'CanonicalUser' && grantee.id === ownerId);
    if (header !== `${prefix}grant-full-control` || !toOwner) ownerOnly = false;
  }
  return ownerOnly ? 'owner-only' : othersVerdict(everyGrantee);
}

const malformedAcl = (detail: string) => new S3Error('MalformedACLError', { cause: detail });

/** The one element of each name a container may hold, and nothing else (MalformedACLError). */
function singles(parent: XmlElement, allowed: readonly string[]): Map<string, XmlElement> {
  const found = new Map<string, XmlElement>();
  for (const element of schemaChildren(parent)) {
    if (!allowed.includes(element.localName) || found.has(element.localName)) {
      throw malformedAcl(`unexpected ${element.localName} in ${parent.localName}`);
    }
    found.set(element.localName, element);
  }
  return found;
}

function readGrantee(element: XmlElement, profile: Profile): Grantee {
  const fields = singles(element, ['ID', 'DisplayName', 'URI', 'EmailAddress', 'Canned']);
  const text = (name: string) => {
    const field = fields.get(name);
    return field === undefined ? undefined : textContent(field);
  };
  let type = element.attributes.find(
    (attribute) => attribute.namespace === XSI_NAMESPACE && attribute.localName === 'type',
  )?.value;
  // Huawei OBS's documents name no xsi:type: the grantee is an ID, or `Canned` Everyone.
  if (type === undefined && profile.aclDocument === 'OBS') {
    type = fields.has('ID') ? 'CanonicalUser' : text('Canned') === 'Everyone' ? 'Group' : undefined;
  }
  switch (type) {
    case 'CanonicalUser': {
      const id = text('ID');
      if (id === undefined) throw malformedAcl('CanonicalUser without ID');
      // Whether the id names anyone is checked once the whole document has passed the schema.
      return { type, id };
    }
    case 'Group': {
      const uri = text('URI');
      if (uri === undefined && text('Canned') === 'Everyone') return { type, public: true };
      if (uri === undefined) throw malformedAcl('Group without URI');
      if (!GROUPS.has(uri)) throw invalidArgument('Invalid group uri', 'Group/URI', uri);
      return { type, public: PUBLIC_GROUPS.has(uri) };
    }
    case 'AmazonCustomerByEmail':
      if (text('EmailAddress') === undefined)
        throw malformedAcl('AmazonCustomerByEmail without EmailAddress');
      return { type };
    default:
      throw malformedAcl('unknown grantee type');
  }
}

/**
 * PutBucketAcl's AccessControlPolicy body: Owner (the bucket's owner: another id is InvalidArgument
 * "Invalid id") and AccessControlList of Grants (Grantee, Permission; OBS's Delivered). A document
 * that breaks the schema is MalformedACLError, as AWS answers.
 */
export function readAccessControlPolicy(
  body: Uint8Array,
  profile: Profile,
  ownerId: string,
  options: NamespaceOptions = {},
): AclVerdict {
  const root = readDocument(
    body,
    'AccessControlPolicy',
    (namespace) => isAcceptedNamespace(profile, namespace, options),
    malformedAcl,
  );
  const parts = singles(root, ['Owner', 'AccessControlList']);
  const owner = parts.get('Owner');
  const list = parts.get('AccessControlList');
  if (owner === undefined || list === undefined)
    throw malformedAcl('Owner and AccessControlList are required');
  const ownerIdElement = singles(owner, ['ID', 'DisplayName']).get('ID');
  if (ownerIdElement === undefined) throw malformedAcl('Owner without ID');
  const namedOwner = textContent(ownerIdElement);
  let ownerOnly = true;
  const grantees: Grantee[] = [];
  for (const grant of schemaChildren(list)) {
    if (grant.localName !== 'Grant') throw malformedAcl(`unexpected ${grant.localName}`);
    const fields = singles(
      grant,
      profile.aclDocument === 'OBS' ? ['Grantee', 'Permission', 'Delivered'] : ['Grantee', 'Permission'],
    );
    const granteeElement = fields.get('Grantee');
    const permissionElement = fields.get('Permission');
    if (granteeElement === undefined || permissionElement === undefined) {
      throw malformedAcl('Grant needs Grantee and Permission');
    }
    const grantee = readGrantee(granteeElement, profile);
    const permission = textContent(permissionElement);
    if (!PERMISSIONS.has(permission)) throw malformedAcl('unknown Permission');
    grantees.push(grantee);
    if (grantee.type !== 'CanonicalUser' || grantee.id !== ownerId || permission !== 'FULL_CONTROL') {
      ownerOnly = false;
    }
  }
  // The schema first, then the ids: a document that breaks the schema is MalformedACLError whatever ids
  // it names (LocalStack's AWS-validated test_s3_bucket_acl_exceptions; versitygw's
  // PutBucketAcl_invalid_permission_in_body).
  if (namedOwner !== ownerId) throw invalidArgument('Invalid id', 'CanonicalUser/ID', namedOwner);
  for (const grantee of grantees) {
    if (grantee.type === 'CanonicalUser' && !isAccountId(grantee.id)) {
      throw invalidArgument('Invalid id', 'CanonicalUser/ID', grantee.id);
    }
  }
  return ownerOnly && grantees.length === 1 ? 'owner-only' : othersVerdict(grantees);
}

/**
 * PutBucketAcl: the ACL is in the headers or in the body, never both (UnexpectedContent) and never
 * neither (MissingSecurityHeader, naming `x-amz-acl`), as AWS answers.
 */
export function readPutBucketAcl(
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  prefix: AclHeaderPrefix,
  profile: Profile,
  ownerId: string,
  options: NamespaceOptions = {},
): AclVerdict {
  const fromHeaders = readAclHeaders(headers, prefix, ownerId);
  if (fromHeaders !== 'none') {
    if (body.byteLength > 0) throw new S3Error('UnexpectedContent');
    return fromHeaders;
  }
  if (body.byteLength === 0) {
    throw new S3Error('MissingSecurityHeader', { fields: { MissingHeaderName: `${prefix}acl` } });
  }
  return readAccessControlPolicy(body, profile, ownerId, options);
}

/**
 * What this service does with an ACL: the owner's full control is what every bucket here has, so it is
 * accepted and changes nothing; any other ACL is refused — with ACLs disabled (BucketOwnerEnforced) by
 * `disabledCode`, AWS's answer there (AccessControlListNotSupported to PutBucketAcl,
 * InvalidBucketAclWithObjectOwnership to CreateBucket); a public ACL on a bucket whose BlockPublicAcls
 * is on by 403 AccessDenied, as AWS refuses it ("PUT Bucket acl … calls fail if the specified ACL is
 * public"); otherwise by 501 NotImplemented: AWS would keep the ACL, and this service keeps none (a
 * bucket policy grants access instead). A grant to an e-mail address is refused by 405
 * MethodNotAllowed, as S3 has refused it since 1 October 2025 ("If you attempt to use an Email Grantee
 * ACL in a request after October 1, 2025, the request will receive an HTTP 405 (Method Not Allowed)
 * error", PutBucketAcl, S3 API Reference, read 2026-12-07).
 */
export function acceptOwnerOnlyAcl(
  verdict: AclVerdict | 'none',
  objectOwnership: string | undefined,
  disabledCode: 'AccessControlListNotSupported' | 'InvalidBucketAclWithObjectOwnership',
  blockPublicAcls = false,
): void {
  if (verdict === 'owner-only' || verdict === 'none') return;
  if (objectOwnership === 'BucketOwnerEnforced') throw new S3Error(disabledCode);
  if (verdict === 'by-email') throw new S3Error('MethodNotAllowed');
  if (verdict === 'public' && blockPublicAcls) {
    throw new S3Error('AccessDenied', { cause: 'BlockPublicAcls refuses a public ACL' });
  }
  throw notImplemented(
    "This service keeps no ACL but the bucket owner's full control: grant access with a bucket policy",
  );
}
