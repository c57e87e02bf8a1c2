// The Lambda behind `ANY /{bucket}` and `ANY /{bucket}/{proxy+}`: bucket operations path-style
// (with or without a trailing slash); object paths answer 501 NotImplemented.
import { s3Lambda } from '../lib/http/stack.ts';
import { BUCKET_OPERATIONS } from './operations.ts';

export const handler = s3Lambda(BUCKET_OPERATIONS);
