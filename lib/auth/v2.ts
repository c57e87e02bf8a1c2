// Signature Version 2 (`Authorization: AWS ak:sig`) and Huawei OBS's own (`Authorization: OBS ak:sig`):
// one algorithm, HMAC-SHA1 over a string to sign, with two header prefixes. Only the obs profile
// accepts them (Huawei's esdk-obs-nodejs signs nothing else; see below).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
//
// The rules follow what esdk-obs-nodejs 3.x actually signs (lib/utils.js, Utils.prototype.doAuth):
//   METHOD \n Content-MD5 \n Content-Type \n Date \n
//   every header starting with the prefix (x-amz- / x-obs-), lower-case, sorted, `name:value\n`
//   the resource: the path as sent (virtual-hosted: `/bucket` + path) + the sub-resources it lists,
//   sorted, `?name` or `?name=value` (decoded), joined with `&`.
// The Date line is empty when x-amz-date / x-obs-date is present (AWS's rule; the OBS SDK never sends
// those, so it always signs the Date header it sends).

import { createHmac } from 'node:crypto';
import { S3Error } from '../errors.ts';
import type { S3Request } from '../request.ts';
import {
  checkClockSkew,
  parseHttpDate,
  secretFor,
  signaturesMatch,
  spacedHexBytes,
  type VerifiedCaller,
  type VerifyOptions,
} from './signature-common.ts';

export interface V2Flavour {
  /** The Authorization scheme: `AWS` or `OBS`. */
  scheme: 'AWS' | 'OBS';
  /** Headers signed by name and value: `x-amz-` or `x-obs-`. */
  headerPrefix: string;
  /** The header that, present, replaces Date: `x-amz-date` or `x-obs-date`. */
  dateHeader: string;
}

export const AWS_V2: V2Flavour = { scheme: 'AWS', headerPrefix: 'x-amz-', dateHeader: 'x-amz-date' };
export const OBS_V2: V2Flavour = { scheme: 'OBS', headerPrefix: 'x-obs-', dateHeader: 'x-obs-date' };

/**
 * The query parameters esdk-obs-nodejs puts in the resource it signs (its
 * `allowedResourceParameterNames`, compared in lower case), the same list for both prefixes.
 */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'backtosource',
  'policy',
  'torrent',
  'logging',
  'location',
  'storageinfo',
  'quota',
  'storageclass',
  'storagepolicy',
  'requestpayment',
  'versions',
  'versioning',
  'versionid',
  'uploads',
  'uploadid',
  'partnumber',
  'website',
  'notification',
  'replication',
  'lifecycle',
  'deletebucket',
  'delete',
  'cors',
  'restore',
  'tagging',
  'append',
  'position',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'x-image-process',
  'x-oss-process',
  'x-image-save-object',
  'x-image-save-bucket',
  'encryption',
  'directcoldaccess',
  'rename',
  'name',
  'metadata',
  'modify',
  'attname',
  'truncate',
  'x-obs-security-token',
  'x-workflow-prefix',
  'x-workflow-start',
  'x-workflow-limit',
  'x-workflow-template-name',
  'x-workflow-graph-name',
  'x-workflow-execution-state',
  'x-workflow-execution-type',
  'x-workflow-next-marker',
  'obsworkflowtriggerpolicy',
  'obsbucketalias',
  'obsalias',
  'publicaccessblock',
  'bucketstatus',
  'policystatus',
  'customdomain',
  'inventory',
  'object-lock',
  'retention',
  'mirrorbacktosource',
  'obscompresspolicy',
  'length',
]);

/** `/bucket/key?acl&versionId=1`: the resource part of the string to sign. */
export function canonicalResource(request: S3Request): string {
  const path = request.rawPath === '' ? '/' : request.rawPath;
  let resource = request.addressing === 'path' ? path : `/${request.bucket}${path}`;
  // The signer sorts the raw `name=value` pieces, then keeps those it lists (value decoded, omitted if empty).
  const pieces = [...request.queryPieces].sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  let separator = '?';
  for (const piece of pieces) {
    if (!SIGNED_SUBRESOURCES.has(piece.name.toLowerCase())) continue;
    resource += `${separator}${piece.name}${piece.value === '' ? '' : `=${piece.value}`}`;
    separator = '&';
  }
  return resource;
}

export function stringToSign(request: S3Request, flavour: V2Flavour): string {
  const { headers } = request;
  const date = headers[flavour.dateHeader] === undefined ? (headers.date ?? '') : '';
  let text = `${request.method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${date}\n`;
  const prefixed = Object.keys(headers)
    .filter((name) => name.startsWith(flavour.headerPrefix))
    .sort();
  for (const name of prefixed) text += `${name}:${(headers[name] ?? '').trim()}\n`;
  return text + canonicalResource(request);
}

/** `AWS ak:base64(HMAC-SHA1(secret, StringToSign))` or the same with `OBS`. */
export async function verifyV2(
  request: S3Request,
  authorization: string,
  flavour: V2Flavour,
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const credentials = authorization.slice(flavour.scheme.length + 1).trim();
  const colon = credentials.lastIndexOf(':');
  const accessKeyId = colon < 0 ? '' : credentials.slice(0, colon);
  const signature = colon < 0 ? '' : credentials.slice(colon + 1);
  if (accessKeyId === '' || signature === '') {
    throw new S3Error('InvalidArgument', {
      message: `${flavour.scheme} authorization header is invalid.  Expected ${flavour.scheme === 'AWS' ? 'AwsAccessKeyId' : 'AccessKeyId'}:signature`,
      fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
    });
  }

  const dateAsSent = request.headers[flavour.dateHeader] ?? request.headers.date;
  const requestMs = dateAsSent === undefined ? undefined : parseHttpDate(dateAsSent);
  if (dateAsSent === undefined || requestMs === undefined) {
    throw new S3Error('AccessDenied', {
      message: `${flavour.scheme} authentication requires a valid Date or ${flavour.dateHeader} header`,
    });
  }
  checkClockSkew(requestMs, dateAsSent, options.now);

  const secret = await secretFor(options.lookup, accessKeyId);
  const toSign = stringToSign(request, flavour);
  const expected = createHmac('sha1', secret.secretAccessKey).update(toSign).digest('base64');
  if (!signaturesMatch(expected, signature)) {
    throw new S3Error('SignatureDoesNotMatch', {
      fields: {
        AWSAccessKeyId: accessKeyId,
        StringToSign: toSign,
        SignatureProvided: signature,
        StringToSignBytes: spacedHexBytes(toSign),
      },
    });
  }
  return { accountId: secret.accountId, accessKeyId: secret.accessKeyId };
}
