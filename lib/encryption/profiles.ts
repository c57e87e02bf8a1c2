// Vendor profiles as data (docs/architecture.md "Vendor profiles"): one deployment speaks one profile,
// and every difference between AWS, QStorage and Huawei OBS — signatures, header dialect, namespace,
// schema, the answer when nothing is set — is a field here rather than a branch on a name elsewhere.
// config.ts resolves the deployment's profile once (`profile()`).

import type { ProfileName } from '../config.ts';
import type { ObjectOwnership } from '../ownership/model.ts';
import {
  BLOCK_ALL_PUBLIC_ACCESS,
  type PublicAccessBlockConfiguration,
} from '../public-access-block/model.ts';
import { XML_DECLARATION } from '../xml/write.ts';
import type { EncryptionConfiguration, SseAlgorithm } from './model.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Which vendor's signature a request presents: AWS's (V2 `AWS ak:sig`, SigV4), OBS's (`OBS ak:sig`), or none. */
export type RequestDialect = 'aws' | 'obs' | 'none';

/**
 * The vendor whose signature a request presents, from its Authorization header or, for a presigned
 * URL, its query string; read before anything is verified, so that a request that fails
 * authentication is still answered in the dialect its client reads.
 */
export function requestDialect(authorization: string, rawQueryString: string): RequestDialect {
  if (authorization.startsWith('OBS ')) return 'obs';
  if (authorization !== '') return 'aws';
  if (rawQueryString === '') return 'none';
  // Names decoded as the signature check reads them: `AWSAccessKey%49d` is the V2 key parameter there,
  // so it is here too (read raw, a re-encoded name made a V2 URL's unsigned x-obs-* headers count).
  const names = rawQueryString.split('&').map(decodedName);
  if (names.includes('X-Amz-Algorithm') || names.includes('AWSAccessKeyId')) return 'aws';
  if (names.includes('AccessKeyId')) return 'obs';
  return 'none';
}

/** A query piece's name, percent-decoded; one that does not decode as sent (the request fails later). */
function decodedName(piece: string): string {
  const equals = piece.indexOf('=');
  const name = equals < 0 ? piece : piece.slice(0, equals);
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
export type HeaderPrefix = 'x-amz-' | 'x-obs-';

/** What the dialect of a decoded request is read from: its Authorization header and its query as sent. */
type DialectSource = { headers: Readonly<Record<string, string | undefined>>; rawQueryString: string };

/** A decoded request's dialect (requestDialect). */
export const dialectOf = (request: DialectSource): RequestDialect =>
  requestDialect(request.headers.authorization ?? '', request.rawQueryString);

/** The vendor-header prefix `profile` reads a request's own headers under (its ACL headers), by its dialect. */
export const requestHeaderPrefix = (
  profile: Pick<Profile, 'headerPrefix'>,
  request: DialectSource,
): HeaderPrefix => profile.headerPrefix[dialectOf(request)];

/** The configurations a new bucket is created with (CreateBucket), each stored on its item. */
export interface NewBucketDefaults {
  readonly publicAccessBlock?: Readonly<PublicAccessBlockConfiguration>;
  readonly objectOwnership?: ObjectOwnership;
}

export interface Profile {
  readonly name: ProfileName;
  /** The SSEAlgorithm values this profile accepts, case-sensitive. */
  readonly algorithms: readonly SseAlgorithm[];
  /** The subset that encrypts with a KMS key: only these may carry a KMSMasterKeyID. */
  readonly kmsAlgorithms: readonly SseAlgorithm[];
  /** Whether a KMS algorithm needs a KMSMasterKeyID (qstorage's verenc) or falls back to the platform key. */
  readonly keyRequired: boolean;
  /** Whether a KMSMasterKeyID has this profile's shape. Keys are never looked up (clients test with made-up ids). */
  readonly isValidKeyId: (keyId: string) => boolean;
  /** The InvalidArgument message for a key that fails `isValidKeyId`. */
  readonly invalidKeyIdMessage: string;
  /** Whether `ProjectID` may appear in ApplyServerSideEncryptionByDefault (OBS, only together with a key). */
  readonly allowsProjectId: boolean;
  /** The namespace of the documents this profile answers with. */
  readonly namespace: (region: string, obsDomain: string) => string;
  /** A namespace a request document may use besides none and S3's. */
  readonly isOwnNamespace: (namespace: string) => boolean;
  /**
   * The prefix of the vendor headers this profile answers with (request ids, bucket region), by the
   * dialect the request speaks: the signature scheme it presents (`AWS`/SigV4 or `OBS`), or `none`
   * when it presents none. Huawei's SDK reads x-amz-* after signing AWS-style and x-obs-* after
   * signing OBS-style (docs/behaviour.md "OBS header dialect").
   */
  readonly headerPrefix: Readonly<Record<RequestDialect, HeaderPrefix>>;
  /** Whether GET answers BucketKeyEnabled, and PUT may set it to true (OBS's schema has no such element). */
  readonly bucketKeys: boolean;
  /** Whether BlockedEncryptionTypes is part of this profile's schema (OBS's is not). */
  readonly blockedEncryptionTypes: boolean;
  /** The XML declaration GetBucketEncryption answers with (OBS's documented sample says `standalone="yes"`). */
  readonly xmlDeclaration: string;
  /**
   * GetBucketLocation's document, by the request's dialect: S3's `<LocationConstraint>` (empty for
   * us-east-1), or OBS's `<Location>` with the region always named, which Huawei's SDK reads after
   * signing OBS-style (OBS API reference, "Obtaining Bucket Location").
   */
  readonly locationDocument: Readonly<Record<RequestDialect, 'LocationConstraint' | 'Location'>>;
  /**
   * Whether requests may be signed with Signature Version 2 (`Authorization: AWS ak:sig`) and OBS's
   * own (`OBS ak:sig`) besides SigV4: Huawei's SDK signs nothing else. AWS's other profiles are
   * SigV4-only, as AWS regions opened since 2014 are.
   */
  readonly signatureV2: boolean;
  /** Whether PUT must carry Content-MD5 or an x-amz-checksum-* header (when present it is always verified). */
  readonly integrityRequired: boolean;
  /**
   * GET with nothing set: the platform default (200), or a 404 with this code. A deployment may
   * override it with ServerSideEncryptionConfigurationNotFoundError (S3_UNSET_ENCRYPTION=not-found).
   */
  readonly unsetAnswer:
    | 'platform-default'
    | 'NoSuchEncryptionConfiguration'
    | 'ServerSideEncryptionConfigurationNotFoundError';
  /** Whether the service answers OBS's unsigned `HEAD /?apiversion` probe (Huawei's SDK sends it first). */
  readonly apiVersionProbe: boolean;
  readonly platformDefault: EncryptionConfiguration;
  /**
   * S3 operations this vendor does not have (its API reference has no such operation): answered
   * 501 NotImplemented before authentication, as any operation the service does not implement
   * (lib/http/dispatch.ts; docs/behaviour.md "What each profile serves").
   */
  readonly unimplementedOperations: ReadonlySet<string>;
  /** Whether the vendor has S3 Object Ownership: ownership controls and CreateBucket's x-amz-object-ownership. */
  readonly objectOwnership: boolean;
  /**
   * The vendor's ACL document: S3's, or Huawei OBS's (no xsi:type; `Canned`, `Delivered`), which
   * PutBucketAcl reads besides S3's and GetBucketAcl answers to OBS's dialect. A V2- or SigV4-signed
   * request gets S3's, as GetBucketLocation's document follows the dialect: in its V2 mode Huawei's SDK
   * writes the grantee's xsi:type (esdk-obs-nodejs lib/v2Model.js), and boto3 and the AWS CLI read it
   * as the grantee's Type.
   */
  readonly aclDocument: 'S3' | 'OBS';
  /**
   * What a new bucket gets: AWS's defaults since April 2023 (Block Public Access on; ACLs disabled,
   * BucketOwnerEnforced). A deployment with S3_BUCKET_DEFAULTS=legacy gets none (lib/config.ts).
   */
  readonly newBucketDefaults: NewBucketDefaults;
  /**
   * Whether a bucket's ARN is answered: CreateBucket's and HeadBucket's `x-amz-bucket-arn` (HeadBucket's
   * `x-amz-access-point-alias: false` with it) and ListBuckets' `BucketArn`, as AWS answers for a
   * general purpose bucket (S3's API model; LocalStack's AWS-validated snapshots of 2026-02). The other
   * vendors document none of them.
   */
  readonly bucketArn: boolean;
}

// Key shapes. Every KMS key id, key ARN and alias of these vendors is printable ASCII, so a
// "plausible" key is 1–2048 characters from `!` to `~` (no whitespace, no control or non-ASCII
// characters); each profile narrows that below. XML-special characters (<, &, …) are allowed here
// and escaped on output: they are implausible in a key, but rejecting them buys nothing.
const KEY_TOKEN = /^[\x21-\x7e]{1,2048}$/;

// aws: a key id (UUID, `mrk-…`, or a made-up id such as s3-tests' `testkey-1`), `alias/<name>`,
// or an ARN `arn:<partition>:kms:<region>:<12-digit account>:key/<id>` or `…:alias/<name>`.
const AWS_KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[\x21-\x7e]+$/;
const isAwsKeyId = (keyId: string): boolean => {
  if (!KEY_TOKEN.test(keyId)) return false;
  if (keyId.startsWith('arn:')) return AWS_KMS_ARN.test(keyId);
  if (keyId.startsWith('alias/')) return keyId.length > 'alias/'.length;
  return true;
};

// qstorage: verenc keys are `qkms:<id>` (the QStorage PutBucketEncryption document).
const isQStorageKeyId = (keyId: string): boolean =>
  keyId.startsWith('qkms:') && keyId.length > 'qkms:'.length && KEY_TOKEN.test(keyId);

// obs: a key id without colons, or `<region>:<domain id>:key/<key id>` (Huawei's KMS key form,
// e.g. `cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0`).
const OBS_KMS_KEY = /^[a-z0-9-]+:[A-Za-z0-9]+:key\/[\x21-\x39\x3b-\x7e]+$/;
const isObsKeyId = (keyId: string): boolean =>
  KEY_TOKEN.test(keyId) && (!keyId.includes(':') || OBS_KMS_KEY.test(keyId));

const OBS_NAMESPACE = /^http:\/\/obs\.[A-Za-z0-9.-]+\/doc\/2015-06-30\/$/;

const AMZ_ALWAYS = Object.freeze({ aws: 'x-amz-', obs: 'x-amz-', none: 'x-amz-' } as const);
const S3_LOCATION = Object.freeze({
  aws: 'LocationConstraint',
  obs: 'LocationConstraint',
  none: 'LocationConstraint',
} as const);

// What GET answers for a bucket whose configuration was never set (SSE-S3, as AWS since 2023).
const PLATFORM_DEFAULT: EncryptionConfiguration = Object.freeze({
  sseAlgorithm: 'AES256',
  bucketKeyEnabled: false,
});

// AWS's new-bucket defaults since April 2023 ("Amazon S3 automatically enables S3 Block Public Access
// and disables access control lists for all new buckets", What's New, December 2022; effective April 2023).
const AWS_NEW_BUCKET: NewBucketDefaults = Object.freeze({
  publicAccessBlock: BLOCK_ALL_PUBLIC_ACCESS,
  objectOwnership: 'BucketOwnerEnforced',
});

const NONE_UNIMPLEMENTED: ReadonlySet<string> = Object.freeze(new Set<string>());

// What S3 itself does, which the aws and qstorage profiles share: S3's namespace, schema and headers,
// SigV4 only, a checksum required on PUT, the platform default when nothing is set.
const S3_DIALECT = Object.freeze({
  allowsProjectId: false,
  namespace: () => S3_NAMESPACE,
  isOwnNamespace: (namespace: string) => namespace === S3_NAMESPACE,
  headerPrefix: AMZ_ALWAYS,
  locationDocument: S3_LOCATION,
  bucketKeys: true,
  blockedEncryptionTypes: true,
  xmlDeclaration: XML_DECLARATION,
  signatureV2: false,
  apiVersionProbe: false,
  integrityRequired: true,
  unsetAnswer: 'platform-default',
  platformDefault: PLATFORM_DEFAULT,
  objectOwnership: true,
  aclDocument: 'S3',
  newBucketDefaults: AWS_NEW_BUCKET,
} as const satisfies Partial<Profile>);

const PROFILES: Readonly<Record<ProfileName, Profile>> = Object.freeze({
  aws: Object.freeze({
    name: 'aws',
    algorithms: Object.freeze(['AES256', 'aws:kms', 'aws:kms:dsse'] as const),
    kmsAlgorithms: Object.freeze(['aws:kms', 'aws:kms:dsse'] as const),
    keyRequired: false,
    isValidKeyId: isAwsKeyId,
    invalidKeyIdMessage: 'The KMSMasterKeyID is not a valid KMS key id, key ARN, alias name or alias ARN',
    ...S3_DIALECT,
    unimplementedOperations: NONE_UNIMPLEMENTED,
    bucketArn: true,
  }),
  qstorage: Object.freeze({
    name: 'qstorage',
    algorithms: Object.freeze(['AES256', 'verenc'] as const),
    kmsAlgorithms: Object.freeze(['verenc'] as const),
    keyRequired: true,
    isValidKeyId: isQStorageKeyId,
    invalidKeyIdMessage: 'The KMSMasterKeyID must be a qkms: key id',
    // The QStorage docs: every bucket is encrypted by default (as S3_DIALECT answers).
    ...S3_DIALECT,
    // QStorage's API reference (docs.quilibrium.com, "Bucket Operations") documents
    // DeletePublicAccessBlock, GetBucketOwnershipControls, Get/PutBucketAcl and CreateBucket's
    // x-amz-object-ownership, and has no page for these (docs/behaviour.md "What each profile serves").
    unimplementedOperations: Object.freeze(
      new Set([
        'PutPublicAccessBlock',
        'GetPublicAccessBlock',
        'PutBucketOwnershipControls',
        'DeleteBucketOwnershipControls',
      ]),
    ),
    bucketArn: false,
  }),
  obs: Object.freeze({
    name: 'obs',
    algorithms: Object.freeze(['kms', 'AES256'] as const),
    kmsAlgorithms: Object.freeze(['kms'] as const),
    keyRequired: false,
    isValidKeyId: isObsKeyId,
    invalidKeyIdMessage: 'The KMSMasterKeyID is not a valid key id or region:domain:key/id',
    allowsProjectId: true,
    namespace: (region: string, obsDomain: string) => `http://obs.${region}.${obsDomain}/doc/2015-06-30/`,
    // Any OBS-style namespace: Huawei's clients differ in the host they put there.
    isOwnNamespace: (namespace: string) => OBS_NAMESPACE.test(namespace),
    // In the request's dialect; a request without a signature (the SDK's `HEAD /?apiversion` probe,
    // anonymous calls) is answered in OBS's own.
    headerPrefix: Object.freeze({ aws: 'x-amz-', obs: 'x-obs-', none: 'x-obs-' } as const),
    locationDocument: Object.freeze({
      aws: 'LocationConstraint',
      obs: 'Location',
      none: 'Location',
    } as const),
    // OBS's documented schema: SSEAlgorithm, KMSMasterKeyID and ProjectID only.
    bucketKeys: false,
    blockedEncryptionTypes: false,
    xmlDeclaration: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    // V2 (`AWS ak:sig`) and OBS signatures; OBS clients probe `HEAD /?apiversion` first.
    signatureV2: true,
    apiVersionProbe: true,
    // OBS's own client sends no checksum; one that is present is still verified.
    integrityRequired: false,
    unsetAnswer: 'NoSuchEncryptionConfiguration',
    platformDefault: PLATFORM_DEFAULT,
    // OBS documents Put/Get/DeletePublicAccessBlock and Get/PutBucketAcl (its own ACL document), and
    // has no Object Ownership: no ownership controls, no x-amz-object-ownership (API reference;
    // esdk-obs-nodejs has no such call). BPA is on for its new object buckets (OBS SDK for Python,
    // "Configuring BPA for a Bucket": "enabled for new object buckets").
    unimplementedOperations: Object.freeze(
      new Set(['PutBucketOwnershipControls', 'GetBucketOwnershipControls', 'DeleteBucketOwnershipControls']),
    ),
    objectOwnership: false,
    aclDocument: 'OBS',
    newBucketDefaults: Object.freeze({ publicAccessBlock: BLOCK_ALL_PUBLIC_ACCESS }),
    bucketArn: false,
  }),
});

/** Where a request document's own namespace may come from besides its shape (parse options). */
export interface NamespaceOptions {
  /** With `obsDomain`: the deployment's own OBS namespace is accepted exactly (it is also accepted by shape). */
  region?: string;
  obsDomain?: string;
}

/** Whether a request document may use this namespace: none, S3's, or the profile's own. */
export function isAcceptedNamespace(profile: Profile, namespace: string, options: NamespaceOptions): boolean {
  if (namespace === '' || namespace === S3_NAMESPACE || profile.isOwnNamespace(namespace)) return true;
  const { region, obsDomain } = options;
  return (
    region !== undefined && obsDomain !== undefined && namespace === profile.namespace(region, obsDomain)
  );
}

export function getProfile(name: ProfileName): Profile {
  return PROFILES[name];
}

// OBS's names for the headers whose OBS form is not just the prefix swapped: its HeadBucket answers
// the region as x-obs-bucket-location (esdk-obs-nodejs's obsModel reads it there).
const OBS_HEADER_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'x-amz-bucket-region': 'x-obs-bucket-location',
});

/**
 * A response header's name in the request's dialect. Operations name their headers AWS's way
 * (`x-amz-…`); in the OBS dialect each becomes its x-obs-* counterpart.
 */
export function responseHeaderName(profile: Profile, dialect: RequestDialect, name: string): string {
  if (profile.headerPrefix[dialect] === 'x-amz-' || !name.startsWith('x-amz-')) return name;
  return OBS_HEADER_NAMES[name] ?? `x-obs-${name.slice('x-amz-'.length)}`;
}
