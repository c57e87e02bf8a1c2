// What the benchmark sends: requests shaped as the AWS SDK v3 sends them (path `/{bucket}/`,
// `?encryption=`, a CRC32 checksum, its invocation headers), for the identity `npm start` seeds.
import { computeChecksum } from '../lib/integrity.ts';
import { DEFAULT_LOCAL_IDENTITY } from '../scripts/local-stack.ts';
import type { RequestShape } from '../test/helpers/signed-event.ts';

export const IDENTITY = DEFAULT_LOCAL_IDENTITY;

/** A KMS configuration with a key ARN and a bucket key: the longest common document. */
export const KMS_CONFIGURATION =
  '<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';

const KMS_CONFIGURATION_CRC32 = await computeChecksum('CRC32', Buffer.from(KMS_CONFIGURATION));

const SDK_HEADERS = {
  'user-agent': 'aws-sdk-js/3.1169.0 ua/2.1 os/linux lang/js md/nodejs#24.9.0 api/s3#3.1169.0',
  'x-amz-user-agent': 'aws-sdk-js/3.1169.0',
  'amz-sdk-invocation-id': '6f1c1c8e-2b1a-4a52-9d2e-6c1d1b0c7a11',
  'amz-sdk-request': 'attempt=1; max=3',
};

export type EncryptionOperation = 'GetBucketEncryption' | 'PutBucketEncryption' | 'DeleteBucketEncryption';

export function encryptionRequest(operation: EncryptionOperation, bucket: string): RequestShape {
  const base = { path: `/${bucket}/`, query: 'encryption=', identity: IDENTITY };
  switch (operation) {
    case 'GetBucketEncryption':
      return { ...base, method: 'GET', headers: SDK_HEADERS };
    case 'DeleteBucketEncryption':
      return { ...base, method: 'DELETE', headers: SDK_HEADERS };
    case 'PutBucketEncryption':
      return {
        ...base,
        method: 'PUT',
        body: KMS_CONFIGURATION,
        headers: {
          ...SDK_HEADERS,
          'content-type': 'application/xml',
          'x-amz-sdk-checksum-algorithm': 'CRC32',
          'x-amz-checksum-crc32': KMS_CONFIGURATION_CRC32,
        },
      };
  }
}

const PUBLIC_ACCESS_BLOCK =
  '<?xml version="1.0" encoding="UTF-8"?><PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>';
const OWNERSHIP_CONTROLS =
  '<?xml version="1.0" encoding="UTF-8"?><OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>';

/** A Put of a configuration subresource as SDK v3 sends it (CRC32, `/b/?sub=`, an XML declaration). */
const sdkPut = async (bucket: string, subresource: string, body: string): Promise<RequestShape> => ({
  path: `/${bucket}/`,
  query: `${subresource}=`,
  identity: IDENTITY,
  method: 'PUT',
  body,
  headers: {
    ...SDK_HEADERS,
    'content-type': 'application/xml',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-checksum-crc32': await computeChecksum('CRC32', Buffer.from(body)),
  },
});
const sdkGet = (bucket: string, subresource: string): RequestShape => ({
  path: `/${bucket}/`,
  query: `${subresource}=`,
  identity: IDENTITY,
  method: 'GET',
  headers: SDK_HEADERS,
});

/**
 * The Block Public Access, Object Ownership and ACL calls as SDK v3 sends them, with the status each
 * answers on a bucket with the new-bucket defaults: the handler section counts their DynamoDB requests.
 */
export const SECURITY_REQUESTS: Record<
  string,
  { status: number; request(bucket: string): Promise<RequestShape> }
> = {
  PutPublicAccessBlock: { status: 200, request: (b) => sdkPut(b, 'publicAccessBlock', PUBLIC_ACCESS_BLOCK) },
  GetPublicAccessBlock: { status: 200, request: async (b) => sdkGet(b, 'publicAccessBlock') },
  PutBucketOwnershipControls: {
    status: 200,
    request: (b) => sdkPut(b, 'ownershipControls', OWNERSHIP_CONTROLS),
  },
  GetBucketOwnershipControls: { status: 200, request: async (b) => sdkGet(b, 'ownershipControls') },
  GetBucketAcl: { status: 200, request: async (b) => sdkGet(b, 'acl') },
  PutBucketAcl: {
    status: 200,
    request: async (b) => ({
      ...(await sdkPut(b, 'acl', '')),
      headers: {
        ...SDK_HEADERS,
        'x-amz-acl': 'private',
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': await computeChecksum('CRC32', Buffer.alloc(0)),
      },
    }),
  },
};
