// What scripts/offline-preload.ts changes in serverless-offline's modules, and why: pure, so that a unit
// test can apply each patch to the pinned sources (test/unit/offline-patches.test.ts).
interface Patch {
  /** Why, in one line: said when the statement is no longer where expected. */
  why: string;
  find: RegExp;
  replace: string;
}

export const SRC = '/serverless-offline/src/';

export const PATCHES: Record<string, Patch[]> = {
  'events/http/lambda-events/LambdaProxyIntegrationEventV2.js': [
    {
      // serverless-offline gives every HTTP API request that has a body and no Content-Type the header
      // `content-type: application/json`; API Gateway passes headers through as sent. V2 and OBS
      // signatures sign Content-Type (an empty line when there is none), so the injected value broke
      // every signed PUT from Huawei's esdk-obs-nodejs, which sends its XML without a Content-Type. The
      // Lambda cannot tell an injected header from a sent one, so the fix is here.
      why: 'it injects a default Content-Type, which breaks V2/OBS signatures',
      find: /if \(!headers\["content-type"\]\) \{\s*headers\["content-type"\] = "application\/json"\s*\}/,
      replace: '',
    },
    {
      // LOCAL-ONLY SPEED (issue 13): it runs jose's decodeJwt on every Authorization header and ignores
      // the error; an S3 signature is never a JWT, so every request built and threw a JOSEError (with
      // its stack trace). Decoding only what has a JWT's shape (three base64url parts) gives the same
      // event: decodeJwt throws for anything else.
      why: 'it decodes every Authorization header as a JWT',
      find: /if \(token\) \{(\s*try \{\s*claims = decodeJwt\(token\))/,
      replace: 'if (token && /^[\\w-]+\\.[\\w-]+\\.[\\w-]*$/.test(token)) {$1',
    },
  ],
  'events/http/HttpServer.js': [
    {
      // LOCAL-ONLY SPEED (issue 13): three lines on stderr per request (two empty, then `PUT /b (λ: bucket)`),
      // each its own write, read and forwarded again by `npm start`: with the duration line below, 8 of
      // the ≈ 15 system calls a request cost the stack. The service's own access-log line (stdout) says
      // the method, bucket, subresource, status, request id and duration of every request already.
      why: 'it logs three lines per request',
      find: /log\.notice\(\)\s*log\.notice\(\)\s*log\.notice\(`\$\{method\} \$\{request\.path\} \(λ: \$\{functionKey\}\)`\)/,
      replace: '',
    },
  ],
  'lambda/LambdaFunction.js': [
    {
      // LOCAL-ONLY SPEED (issue 13): the per-invocation "(λ: bucket) RequestId: … Duration: …" line; see above.
      why: 'it logs a duration line per invocation',
      find: /if \(!this\.#handlerRunner\.isDockerRunner\(\)\) \{\s*log\.notice\(/,
      replace: 'if (false) {\n        log.notice(',
    },
  ],
  'lambda/handler-runner/in-process-runner/InProcessRunner.js': [
    {
      // LOCAL-ONLY SPEED (issue 13): `--useInProcess` assigns the function's environment to
      // process.env and resolves the handler's module again (existsSync up the directory tree for a
      // package.json, then import()) on every invocation. The module is cached by Node, so the handler
      // is the same function each time; the environment is assigned again only when another function's
      // (or instance's) environment was the last one assigned.
      why: 'it assigns process.env and loads the handler on every invocation',
      find: /assign\(process\.env, this\.#env\)\s*const handler = await load\(\s*this\.#servicePath,\s*join\(this\.#codeDir, this\.#handler\),\s*\)/,
      replace: `if (globalThis.__localStackEnv !== this.#env) {
      assign(process.env, this.#env)
      globalThis.__localStackEnv = this.#env
    }
    this.__handler ??= await load(this.#servicePath, join(this.#codeDir, this.#handler))
    const handler = this.__handler`,
    },
  ],
};

/** The patched source, or an Error naming what is no longer where expected. */
export function patchSource(file: string, source: string): string {
  let result = source;
  for (const patch of PATCHES[file] ?? []) {
    if (!patch.find.test(result)) {
      throw new Error(
        `scripts/offline-preload.ts: serverless-offline's ${file} changed (${patch.why}); review this preload`,
      );
    }
    result = result.replace(patch.find, patch.replace);
  }
  return result;
}
