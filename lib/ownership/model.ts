// The bucket's S3 Object Ownership setting (its ownership controls) as this service stores and
// returns it. https://docs.aws.amazon.com/AmazonS3/latest/API/API_OwnershipControlsRule.html

/** BucketOwnerEnforced disables ACLs; the other two keep them (this service stores none: docs/behaviour.md). */
export const OBJECT_OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

export interface OwnershipControls {
  objectOwnership: ObjectOwnership;
}

export const isObjectOwnership = (value: string): value is ObjectOwnership =>
  (OBJECT_OWNERSHIPS as readonly string[]).includes(value);
