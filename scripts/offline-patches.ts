// What scripts/offline-preload.ts changes in serverless-offline's modules, and why: pure, so that a unit
// test can apply each patch to the pinned sources (test/unit/offline-patches.test.ts).
interface Patch {
  /** Why, in one line: said when the statement is no longer where expected. */
  why: string;
  find: RegExp;
  replace: string;
}

export const SRC = '/serverless-offline/src/';

/**
 * How long the local gateway keeps an idle client connection open (the HttpServer.js patch below): 60 s,
 * the idle timeout AWS gives its own HTTP front door by default (Elastic Load Balancing, Application
 * Load Balancers: "By default, ELB sets the idle timeout value for your load balancer to 60 seconds",
 * "Edit attributes for your Application Load Balancer", read 2026-12-07).
 */
export const LOCAL_KEEP_ALIVE_TIMEOUT_MS = 60_000;

export const PATCHES: Record<string, Patch[]> = {
  'events/http/lambda-events/LambdaProxyIntegrationEventV2.js': [
    {
      // API Gateway's payload 2.0 joins a repeated header's values with commas ("Duplicate headers are
      // combined with commas and included in the headers field": AWS, "Create AWS Lambda proxy
      // integrations for HTTP APIs in API Gateway"); serverless-offline kept the last value only
      // (Object.fromEntries over the raw pairs). Names are lower-cased first, so `X-A` and `x-a` join
      // too. Built in a Map: a header named `__proto__` stays a header.
      why: 'it keeps only the last value of a repeated header',
      find: /const headers = lowerCaseKeys\(parseHeaders\(rawHeaders \|\| \[\]\) \|\| \{\}\)/,
      replace: `const joined = new Map()
    for (let i = 0; i + 1 < (rawHeaders || []).length; i += 2) {
      const name = rawHeaders[i].toLowerCase()
      joined.set(name, joined.has(name) ? \`\${joined.get(name)},\${rawHeaders[i + 1]}\` : rawHeaders[i + 1])
    }
    const headers = Object.fromEntries(joined)`,
    },
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
      // The path of a request routed with its undecodable `%` escaped (the HttpServer.js patch below):
      // the Lambda gets the path as the client sent it, as API Gateway hands it over.
      why: 'it builds rawPath from the routed URL',
      find: /rawPath: this\.#request\.url\.pathname,/,
      replace: 'rawPath: this.#request.app.rawPathAsSent ?? this.#request.url.pathname,',
    },
    {
      // API Gateway's payload 2.0 hands the Lambda the query string as the client sent it (`rawQueryString`).
      // serverless-offline rebuilt it with URLSearchParams.toString(), which writes a space as `+` and
      // escapes what the client left alone (`*`, `~`…): a `%20` in a signed query (`prefix=my%20dir/`, as
      // SDK v3, botocore and the AWS CLI send a space) became `+`, a literal plus to S3, and the request's
      // signature no longer verified (403 SignatureDoesNotMatch for `aws s3 ls "s3://b/my dir/"`).
      why: 'it re-encodes the query string instead of passing it as sent',
      find: /rawQueryString: this\.#request\.url\.searchParams\.toString\(\),/,
      replace: 'rawQueryString: this.#request.url.search.slice(1),',
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
      // API Gateway hands an HTTP API's Lambda the body as the client sent it: a string (base64 for a
      // binary type). serverless-offline parsed every `application/json` body (and, with its injected
      // default, every body without a Content-Type) as JSON, and its event builder then took the raw
      // text back for an object but kept a scalar: a body of `0` or `false` reached the handler as a
      // number or a boolean (a 500 before authentication), `"x"` as `x`, `null` as no body.
      why: 'it parses JSON bodies, and hands the Lambda a scalar body as a number, a boolean or null',
      find: /contentTypesThatRequirePayloadParsing\.includes\(contentType\) &&\s*request\.payload\s*\)/,
      replace: `request.payload &&
        !endpoint.isHttpApi &&
        contentTypesThatRequirePayloadParsing.includes(contentType)
      )`,
    },
    {
      // With no `cors` in serverless.yml (this service has none: S3 clients are not browsers), API
      // Gateway adds no CORS header and passes an OPTIONS request to the route like any other (AWS,
      // "Configuring CORS for an HTTP API": "If you configure CORS for an API, API Gateway
      // automatically sends a response to preflight OPTIONS requests"; it does not otherwise).
      // serverless-offline instead reflected any Origin with `access-control-allow-credentials: true`
      // on every response and turned every preflight into a 200: local answers production never gives.
      why: 'it answers every Origin with permissive CORS headers when none are configured',
      find: /this\.#server\.ext\("onPreResponse", \(request, h\) => \{\s*if \(request\.headers\.origin\) \{/,
      replace: `this.#server.ext("onPreResponse", (request, h) => {
      if (request.headers.origin && this.#serverless.service.provider.httpApi?.cors) {`,
    },
    {
      // Node's HTTP server answers 417 Expectation Failed, before any route runs, to a request whose
      // Expect header is anything but 100-continue (an empty one included), unless the server listens
      // for 'checkExpectation'. API Gateway and S3 ignore such an Expect and serve the request (ceph
      // s3-tests test_bucket_create_bad_expect_*), so the request goes to hapi like any other.
      // 100-continue keeps Node's own handling (a 100 Continue, then the request).
      //
      // hapi decodes each path segment to route the request; one that does not decode (`/%FF`, a bare
      // `%`) got hapi's own 400 in JSON. API Gateway hands such a path to the Lambda as sent, and the
      // service answers S3's 400 InvalidURI (docs/behaviour.md "Through API Gateway"). So such a request
      // is routed with its `%` escaped, and the event's rawPath is the path as sent (the
      // LambdaProxyIntegrationEventV2.js patch above).
      //
      // A request whose target and Host make no URL (`OPTIONS *`, `Host: localhost:abc`) has no URL in
      // hapi (reading request.url throws or is null), so it cannot become an event; reading it here
      // made it hapi's 500 in JSON, with a stack trace of this whole module in the log. API Gateway never
      // passes such a request to a Lambda; it is answered here as S3 answers a URI it cannot read, 400
      // InvalidURI in S3's XML (scripts/offline-answers.ts, put on globalThis by scripts/offline-preload.ts).
      //
      // Node's HTTP server also closes a kept-alive connection after 5 s idle (server.keepAliveTimeout's
      // default). The clients keep theirs without limit (SDK v3's agent, botocore's pool), so a client
      // that pauses ≈ 5 s can send its next request on a socket the server is closing and get ECONNRESET
      // ("socket hang up"): retried by default, an error for a suite that sets maxAttempts 1 (the bench's
      // steady rounds saw one per run). The gateway waits LOCAL_KEEP_ALIVE_TIMEOUT_MS instead.
      why: 'Node (417 to an unknown Expect, a close after 5 s idle) or hapi (400 JSON to an undecodable path, 500 to a request with no URL) answer before the route',
      find: /this\.#server = new Server\(serverOptions\)(\s*try \{)/,
      replace: `this.#server = new Server(serverOptions)
    this.#server.listener.keepAliveTimeout = ${LOCAL_KEEP_ALIVE_TIMEOUT_MS}
    this.#server.listener.on("checkExpectation", (req, res) => {
      this.#server.listener.emit("request", req, res)
    })
    this.#server.ext("onRequest", (request, h) => {
      let url = null
      try {
        url = request.url
      } catch {}
      if (!url) {
        const answer = globalThis.__localGatewayAnswers.unreadableUri(request.raw.req.url ?? "")
        const response = h.response(answer.body).code(answer.status)
        for (const [name, value] of Object.entries(answer.headers)) response.header(name, value)
        return response.takeover()
      }
      const { pathname, search } = url
      if (!pathname.includes("%")) return h.continue
      const undecodable = pathname.split("/").some((segment) => {
        try {
          decodeURIComponent(segment)
          return false
        } catch {
          return true
        }
      })
      if (undecodable) {
        request.app.rawPathAsSent = pathname
        request.setUrl(pathname.replaceAll("%", "%25") + search)
      }
      return h.continue
    })$1`,
    },
    {
      // LOCAL-ONLY SPEED (issue 13): three lines on stderr per request (two empty, then `PUT /b (λ: bucket)`),
      // each its own write, read and forwarded again by `npm start`: with the duration line below, 8 of
      // the ≈ 15 system calls a request cost the stack. The service's own access-log line (stdout) says
      // the method, bucket, subresource, status, request id and duration of every request already.
      why: 'it logs three lines per request',
      find: /log\.notice\(\)\s*log\.notice\(\)\s*log\.notice\(`\$\{method\} \$\{request\.path\} \(λ: \$\{functionKey\}\)`\)/,
      replace: '',
    },
    {
      // A Lambda that fails — throws, times out, cannot load its module — is a 500 from API Gateway,
      // `{"message":"Internal Server Error"}` (AWS, "How do I troubleshoot Internal server errors from
      // API Gateway", knowledge-center/api-gateway-internal-server-error: unhandled function errors,
      // timeouts among them). serverless-offline's payload-2.0 path wrapped the error in a 200 with the
      // Lambda's error JSON as the body, which S3 clients read as a success they cannot parse ("XML
      // parse error") and do not retry; a 500 they retry as a transient error. Seen under two busy
      // loops: a ListBuckets whose invocation outlived the local timeout while `serverless package` ran.
      why: 'it answers a failed payload-2.0 invocation with a 200',
      find: /if \(\s*endpoint\.isHttpApi &&\s*endpoint\.payload === "2\.0" &&\s*\(typeof result === "string" \|\| !result\.statusCode\)\s*\) \{/,
      replace: `if (endpoint.isHttpApi && endpoint.payload === "2.0" && err) {
          result = {
            body: '{"message":"Internal Server Error"}',
            headers: { "Content-Type": "application/json" },
            isBase64Encoded: false,
            statusCode: 500,
          }
        } else if (
          // serverless-offline's own condition, its terms swapped only so that \`find\` matches once
          endpoint.payload === "2.0" &&
          endpoint.isHttpApi &&
          (typeof result === "string" || !result.statusCode)
        ) {`,
    },
    {
      // A response the function gives no Content-Type (the service's empty 200s and 204s: S3 sends none)
      // leaves an HTTP API with `text/plain; charset=utf-8` ("api gateway v2 defaults to this content
      // type if none is provided": AWS's own Lambda Test Tool v2, aws/aws-lambda-dotnet
      // Tools/LambdaTestTool-v2 ApiGatewayResponseExtensions.cs SetContentTypeAndStatusCodeV2, read
      // 2026-12-07). serverless-offline gave it `application/json`, which no deployed stage sends.
      why: 'it gives a response without a Content-Type application/json',
      find: /response\.header\("Content-Type", "application\/json", \{\s*duplicate: false,\s*override: false,\s*\}\)/,
      replace: `response.header("Content-Type", "text/plain; charset=utf-8", {
          duplicate: false,
          override: false,
        })`,
    },
  ],
  'utils/index.js': [
    {
      // Which bodies API Gateway hands over as UTF-8 text and which as base64: text/*, application/json,
      // application/xml and application/javascript are text, everything else (no Content-Type,
      // application/x-www-form-urlencoded, binary/octet-stream…) binary, and a compressed body
      // (a Content-Encoding other than identity) is not text — the rule test/helpers/gateway-event.ts
      // builds the runtime tests' events by, with its sources. serverless-offline took only
      // application/octet-stream and multipart/form-data as binary, so a body without a Content-Type
      // whose bytes are not UTF-8 (a Latin-1 policy, a digest over those bytes) was refused locally and
      // served as deployed.
      why: 'it delivers bodies as text that API Gateway delivers as base64',
      find: /export function detectEncoding\(request\) \{[\s\S]*?\n\}\n/,
      replace: `export function detectEncoding(request, { headers } = request) {
  const contentEncoding = headers["content-encoding"]
  const encoding = typeof contentEncoding === "string" ? contentEncoding.trim().toLowerCase() : ""
  if (encoding && encoding !== "identity") return "binary"
  const contentType = headers["content-type"]
  const mediaType =
    typeof contentType === "string" ? contentType.split(";")[0].trim().toLowerCase() : ""
  return mediaType.startsWith("text/") ||
    ["application/json", "application/xml", "application/javascript"].includes(mediaType)
    ? "utf8"
    : "binary"
}
`,
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
      // Concurrent requests run as concurrent invocations of one module instance, as Lambda Managed
      // Instances run them. There AWS's runtime interface client runs each invocation inside the
      // InvokeStore (an AsyncLocalStorage) with its request id, and Powertools keeps the logger's
      // per-invocation keys (s3RequestId, the Lambda context) in it; without it the invocations in
      // flight shared one set of keys, and access lines carried another request's ids or none.
      // scripts/offline-preload.ts creates the store, keeps it on globalThis.awslambda and sets
      // AWS_LAMBDA_MAX_CONCURRENCY.
      why: 'it runs concurrent invocations without a per-invocation context',
      find: /const result = handler\(event, lambdaContext, callback\)/,
      replace: `const invokeStore = globalThis.awslambda?.InvokeStore
    const result = invokeStore
      ? invokeStore.run(
          { [Symbol.for("_AWS_LAMBDA_REQUEST_ID")]: context.awsRequestId },
          () => handler(event, lambdaContext, callback),
        )
      : handler(event, lambdaContext, callback)`,
    },
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
