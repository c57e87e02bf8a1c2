// The payload 2.0 builder against an event AWS sent (hotsock/voker, vokerhttp/testdata/apigwv2-request.json:
// a POST captured from a real HTTP API), and against the rules test/helpers/gateway-event.ts cites.
import { describe, expect, it } from 'vitest';
import { deliveredAsText, gatewayEvent, gatewayPath } from '../../helpers/gateway-event.ts';

describe('gatewayEvent', () => {
  const body = Buffer.from('{"message":"hello from the public internet","unicode":"lambda-λ"}');
  const event = gatewayEvent(
    {
      method: 'POST',
      path: '/capture/space%20value',
      rawQueryString: 'repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=',
      headers: [
        ['Host', 'sjzepsqsu5.execute-api.us-west-2.amazonaws.com'],
        ['User-Agent', 'curl/8.7.1'],
        ['Accept', '*/*'],
        ['Content-Type', 'application/json'],
        ['Cookie', 'session=abc123; theme=dark'],
        ['X-Voker-Probe', 'first'],
        ['X-Voker-Probe', 'second'],
      ],
      body,
    },
    { sourceIp: '68.8.83.18', time: new Date('2026-07-10T19:19:05.766Z') },
  );

  it('returns what AWS sent for the same request', () => {
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/capture/space value',
      rawQueryString: 'repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=',
      cookies: ['session=abc123', 'theme=dark'],
      headers: {
        accept: '*/*',
        'content-length': '66',
        'content-type': 'application/json',
        host: 'sjzepsqsu5.execute-api.us-west-2.amazonaws.com',
        'user-agent': 'curl/8.7.1',
        'x-forwarded-for': '68.8.83.18',
        'x-forwarded-port': '443',
        'x-forwarded-proto': 'https',
        'x-voker-probe': 'first,second',
      },
      queryStringParameters: { repeat: 'one,two', literalPlus: 'a b', encodedPlus: 'a+b', empty: '' },
      requestContext: {
        domainName: 'sjzepsqsu5.execute-api.us-west-2.amazonaws.com',
        domainPrefix: 'sjzepsqsu5',
        http: {
          method: 'POST',
          path: '/capture/space value',
          protocol: 'HTTP/1.1',
          sourceIp: '68.8.83.18',
          userAgent: 'curl/8.7.1',
        },
        stage: '$default',
        time: '10/Jul/2026:19:19:05 +0000',
        timeEpoch: 1783711145766,
      },
      body: '{"message":"hello from the public internet","unicode":"lambda-λ"}',
      isBase64Encoded: false,
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it.each([
    ['/', 'ANY /', undefined],
    ['/b1', 'ANY /{bucket}', { bucket: 'b1' }],
    ['/b1/', 'ANY /{bucket}/{proxy+}', { bucket: 'b1', proxy: '' }],
    ['/b1/a/b', 'ANY /{bucket}/{proxy+}', { bucket: 'b1', proxy: 'a/b' }],
  ])('routes %s to %s', (path, routeKey, pathParameters) => {
    const routed = gatewayEvent({
      method: 'GET',
      path,
      rawQueryString: '',
      headers: {},
      body: Buffer.alloc(0),
    });
    expect(routed.routeKey).toBe(routeKey);
    expect(routed.pathParameters).toEqual(pathParameters);
    expect(routed.headers['content-length']).toBe('0');
    expect(routed.body).toBeUndefined();
    expect(routed.isBase64Encoded).toBe(false);
  });
});

describe('deliveredAsText', () => {
  it.each([
    ['text/plain', undefined, true],
    ['application/xml', undefined, true],
    ['application/xml; charset=utf-8', undefined, true],
    ['APPLICATION/JSON', undefined, true],
    ['application/javascript', undefined, true],
    [undefined, undefined, false],
    ['application/octet-stream', undefined, false],
    ['application/x-www-form-urlencoded', undefined, false],
    ['application/xml', 'gzip', false],
    ['application/xml', 'identity', true],
  ])('returns %s with Content-Encoding %s as text: %s', (contentType, contentEncoding, text) => {
    expect(deliveredAsText(contentType, contentEncoding)).toBe(text);
  });
});

describe('gatewayPath', () => {
  // hotsock/voker, vokerhttp/testdata/ingress-paths.json: what an HTTP API put in rawPath.
  it.each([
    ['/capture/plain', '/capture/plain'],
    ['/capture/space%20value', '/capture/space value'],
    ['/capture/question%3Fvalue', '/capture/question'],
    ['/capture/hash%23value', '/capture/hash#value'],
    ['/capture/slash%2Fvalue', '/capture/slash/value'],
    ['/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C', '/capture/unicode-λ-世界'],
  ])('returns %s as %s', (sent, delivered) => {
    expect(gatewayPath(sent)).toBe(delivered);
  });
});
