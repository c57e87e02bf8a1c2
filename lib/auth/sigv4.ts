// Request-signature verification, the entry point: which mechanism a request uses, then that
// mechanism's check (SigV4 forms in sigv4-verify.ts, V2/OBS in v2.ts).
// Pure: no storage (the secret comes from `lookup`), no clock (`now` is passed in).
//
// Written by hand on purpose: there is no well-kept server-side SigV4/V2 verifier for Node (the AWS
// SDKs and @smithy/signature-v4 only sign; the verifiers in S3 emulators are not packaged for reuse).
// The unit tests therefore verify requests signed by the real clients: @smithy/signature-v4 and the
// SDK v3 S3 client, @aws-sdk/s3-request-presigner, and esdk-obs-nodejs talking to a local server.
//
// Mechanisms, in the order AWS tells them apart:
//   Authorization: AWS4-HMAC-SHA256 …                 SigV4 header form          (sigv4-verify.ts)
//   ?X-Amz-Algorithm=AWS4-HMAC-SHA256&…               SigV4 presigned URL        (sigv4-presigned.ts,
//                                                      imported on the first presigned request)
//   Authorization: AWS ak:sig / OBS ak:sig            V2 / OBS, obs profile only (v2.ts, imported
//                                                      on the first such request: a cold start of the
//                                                      aws and qstorage profiles never needs it)
//   none                                               anonymous → 403 AccessDenied

import { S3Error } from '../errors.ts';
import type { Caller, S3Request } from '../request.ts';
import type { VerifyOptions } from './signature-common.ts';
import { PRESIGNED_MARKERS, SIGV4_ALGORITHM, verifySigV4Header } from './sigv4-verify.ts';

export type {
  BodyBinder,
  BodyBinding,
  SecretLookup,
  SigningSecret,
  VerifiedCaller,
  VerifyOptions,
} from './signature-common.ts';

/** AWS's answer to a V2 signature in a SigV4-only region (here: every profile but obs). */
const sigV4Only = () =>
  new S3Error('InvalidRequest', {
    message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  });

/** AWS's answer to an Authorization scheme it does not know (`Basic …`, `Bearer …`, `OBS …` off obs). */
const unsupportedAuthorizationType = (authorization: string) =>
  new S3Error('InvalidArgument', {
    message: 'Unsupported Authorization Type',
    fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
  });

// Where clients put a temporary credential's session token: SigV4 and V2 headers, presigned URLs (SDKs
// write `X-Amz-Security-Token`), and Huawei OBS's own header and query parameter.
const TOKEN_HEADERS = ['x-amz-security-token', 'x-obs-security-token'];
const TOKEN_PARAMETERS = new Set(['X-Amz-Security-Token', 'x-amz-security-token', 'x-obs-security-token']);

/**
 * This service issues no temporary credentials (it has no STS), so a session token is never one of
 * its own, and a signature made with one is not checked against a long-term key as if the token were
 * not there: AWS answers a token it cannot read 400 InvalidToken.
 */
function refuseSessionToken(request: S3Request, pieces: S3Request['queryPieces']): void {
  const header = TOKEN_HEADERS.find((name) => request.headers[name] !== undefined);
  const parameter = pieces.find((piece) => TOKEN_PARAMETERS.has(piece.name))?.name;
  if (header === undefined && parameter === undefined) return;
  throw new S3Error('InvalidToken', {
    cause: `a session token (${header ?? parameter}): this service issues no temporary credentials`,
  });
}

/**
 * Verifies the request's signature and returns who signed it, or throws the S3Error AWS would answer
 * with (400/403). Never returns for an anonymous request: this service has no public operations.
 */
export async function verifyRequestSignature(request: S3Request, options: VerifyOptions): Promise<Caller> {
  const pieces = request.queryPieces;
  const authorization = request.headers.authorization;
  const presigned = pieces.some((piece) => (PRESIGNED_MARKERS as readonly string[]).includes(piece.name));
  const presignedV2 = pieces.some((piece) => piece.name === 'Signature');
  refuseSessionToken(request, pieces);

  if (authorization !== undefined && authorization !== '') {
    if (presigned || presignedV2) {
      throw new S3Error('InvalidArgument', {
        message:
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
      });
    }
    if (authorization.startsWith(SIGV4_ALGORITHM)) {
      return verifySigV4Header(request, authorization, pieces, options);
    }
    if (authorization.startsWith('AWS ')) {
      if (!options.allowV2) throw sigV4Only();
      const { AWS_V2, verifyV2 } = await import('./v2.ts');
      return verifyV2(request, authorization, AWS_V2, options);
    }
    if (authorization.startsWith('OBS ') && options.allowV2) {
      const { OBS_V2, verifyV2 } = await import('./v2.ts');
      return verifyV2(request, authorization, OBS_V2, options);
    }
    throw unsupportedAuthorizationType(authorization);
  }
  if (presigned) return (await import('./sigv4-presigned.ts')).verifySigV4Query(request, pieces, options);
  // V2 query-string authentication (AWS `AWSAccessKeyId=…&Signature=…`, OBS `AccessKeyId=…&Signature=…`).
  if (presignedV2) {
    if (!options.allowV2) throw sigV4Only();
    return (await import('./v2.ts')).verifyV2Query(request, pieces, options);
  }
  throw new S3Error('AccessDenied');
}
