// GetBucketAcl's body: the bucket owner's FULL_CONTROL grant, the only ACL a bucket has here (what
// BucketOwnerEnforced means, and what AWS answers for a bucket with ACLs disabled: "Requests to read
// ACLs ... always return a response that shows full control for the bucket owner", User Guide,
// "Troubleshooting" of Object Ownership). The owner is named as ListBuckets names it: `Owner/ID`, the
// account id, no DisplayName (AWS no longer sends it). The obs profile answers Huawei OBS's documented
// form (API reference, "Obtaining Bucket ACL Information"): no xsi:type, a `Delivered` element, in
// OBS's dialect (an OBS signature or none); a V2 or SigV4 request gets S3's form.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
import type { Profile, RequestDialect } from '../encryption/profiles.ts';
import type { SerializeOptions } from '../encryption/serialize.ts';
import { escapeXml } from '../xml/write.ts';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export function serializeBucketAcl(
  ownerId: string,
  profile: Profile,
  options: SerializeOptions,
  dialect: RequestDialect,
): string {
  const id = `<ID>${escapeXml(ownerId)}</ID>`;
  const obsForm = profile.aclDocument === 'OBS' && dialect !== 'aws';
  const grantee = obsForm
    ? `<Grantee>${id}</Grantee>`
    : `<Grantee xmlns:xsi="${XSI}" xsi:type="CanonicalUser">${id}</Grantee>`;
  const delivered = obsForm ? '<Delivered>false</Delivered>' : '';
  const namespace = escapeXml(profile.namespace(options.region, options.obsDomain));
  return (
    `${profile.xmlDeclaration}<AccessControlPolicy xmlns="${namespace}"><Owner>${id}</Owner>` +
    `<AccessControlList><Grant>${grantee}<Permission>FULL_CONTROL</Permission>${delivered}</Grant>` +
    '</AccessControlList></AccessControlPolicy>'
  );
}
