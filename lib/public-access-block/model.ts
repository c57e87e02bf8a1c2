// The bucket's S3 Block Public Access settings (PutPublicAccessBlock's four flags) as this service
// stores and returns them. A plain JSON value, as every configuration subresource's (docs/architecture.md).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html

export interface PublicAccessBlockConfiguration {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** All four on: what a new bucket gets (AWS since April 2023), unless the deployment says legacy. */
export const BLOCK_ALL_PUBLIC_ACCESS: Readonly<PublicAccessBlockConfiguration> = Object.freeze({
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
});

/** The flags in S3's element names and order (the XML documents, the history's view). */
export const FLAGS = [
  ['BlockPublicAcls', 'blockPublicAcls'],
  ['IgnorePublicAcls', 'ignorePublicAcls'],
  ['BlockPublicPolicy', 'blockPublicPolicy'],
  ['RestrictPublicBuckets', 'restrictPublicBuckets'],
] as const satisfies ReadonlyArray<readonly [string, keyof PublicAccessBlockConfiguration]>;
