// The Lambda behind `ANY /`: ListBuckets path-style, and every bucket operation addressed
// virtual-hosted (`Host: {bucket}.{base domain}`, path `/`).
import { s3Lambda } from '../lib/http/stack.ts';
import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from './operations.ts';

export const handler = s3Lambda([...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS]);
