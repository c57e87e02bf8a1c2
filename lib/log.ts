// Structured JSON logs with the request id (Powertools Logger). Never log secrets or signatures.
import { Logger } from '@aws-lambda-powertools/logger';
import { installMappedStackTraces } from './stack-traces.ts';

// In a Lambda (its task root holds the bundles and their maps), stack traces name the source files.
if (process.env.LAMBDA_TASK_ROOT) installMappedStackTraces();

export const logger = new Logger({
  serviceName: 'bucket-encryption-api',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
