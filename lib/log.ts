// Structured JSON logs with the request id (Powertools Logger). Never log secrets or signatures.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'bucket-encryption-api',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
