// What the Lambda bundles use instead of @aws-sdk/credential-provider-node (serverless.yml
// `custom.esbuild.alias`). Lambda gives a function its role's credentials in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: AWS, "Defined runtime environment
// variables"), so the SDK's default chain — SSO, STS web identity, ini and process files, container
// and instance metadata — never runs there; bundled, its lazily loaded chunks were a tenth of every
// package (docs/performance.md). Code run from source (npm start's admin CLI, the tests) keeps the
// SDK's own chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
