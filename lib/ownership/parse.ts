// PutBucketOwnershipControls' body → OwnershipControls
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html), and
// CreateBucket's x-amz-object-ownership header. Pure; the schema rules only. Exactly one Rule with
// exactly one ObjectOwnership of the three values; no Rule, two Rules or another value is MalformedXML,
// as LocalStack's AWS-validated snapshots show (TestS3BucketOwnershipControls).

import { isAcceptedNamespace, type NamespaceOptions, type Profile } from '../encryption/profiles.ts';
import { invalidArgument, malformedXml } from '../errors.ts';
import { textContent } from '../xml/read.ts';
import { once, readDocument, schemaChildren } from '../xml/schema.ts';
import { isObjectOwnership, type ObjectOwnership, type OwnershipControls } from './model.ts';

export function parseOwnershipControls(
  body: Uint8Array | string,
  profile: Profile,
  options: NamespaceOptions = {},
): OwnershipControls {
  const root = readDocument(body, 'OwnershipControls', (namespace) =>
    isAcceptedNamespace(profile, namespace, options),
  );
  const rules = schemaChildren(root);
  const [rule] = rules;
  if (rule === undefined || rules.length !== 1 || rule.localName !== 'Rule') {
    throw malformedXml('expected one Rule');
  }
  let value: string | undefined;
  for (const element of schemaChildren(rule)) {
    if (element.localName !== 'ObjectOwnership') throw malformedXml(`unknown element ${element.localName}`);
    once(value, element.localName);
    value = textContent(element);
  }
  if (value === undefined || !isObjectOwnership(value)) throw malformedXml('unsupported ObjectOwnership');
  return { objectOwnership: value };
}

/** CreateBucket's `x-amz-object-ownership`: one of the three values, else AWS's InvalidArgument. */
export function parseObjectOwnershipHeader(value: string): ObjectOwnership {
  if (isObjectOwnership(value)) return value;
  throw invalidArgument(`Invalid x-amz-object-ownership header: ${value}`, 'x-amz-object-ownership');
}
