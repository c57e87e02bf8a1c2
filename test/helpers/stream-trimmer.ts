// DynamoDB Streams keeps a record 24 hours, then trims it; DynamoDB Local never trims. This proxy in
// front of DynamoDB Local (on 127.0.0.1 and a free port; everything else passes through) trims a shard
// where a test says, as the Streams API reference describes it (GetShardIterator, GetRecords:
// TrimmedDataAccessException, "The operation attempted to read past the oldest stream record in a
// shard"): an iterator at or after a sequence number older than the shard's horizon is refused with
// that error, and TRIM_HORIZON — "the oldest (trimmed) data record in the shard" — starts at the horizon.
import { createServer, request as forward } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StreamTrimmer {
  /** `http://127.0.0.1:<port>`: the endpoint for the DynamoDB and DynamoDB Streams clients. */
  endpoint: string;
  /** The shard's records before this one are trimmed (a sequence number of a record of the shard). */
  trim(shardId: string, oldestSequenceNumber: string): void;
  close(): Promise<void>;
}

const TRIMMED = 'com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException';

export async function startStreamTrimmer(upstream: string): Promise<StreamTrimmer> {
  const target = new URL(upstream);
  const horizons = new Map<string, string>();
  const sockets = new Set<Socket>();

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      let body = Buffer.concat(chunks);
      if (String(incoming.headers['x-amz-target']) === 'DynamoDBStreams_20120810.GetShardIterator') {
        const input = JSON.parse(body.toString('utf8')) as Record<string, string>;
        const horizon = horizons.get(input.ShardId ?? '');
        if (horizon !== undefined) {
          const at = input.SequenceNumber;
          if (at !== undefined && BigInt(at) < BigInt(horizon)) {
            const answer = JSON.stringify({
              __type: TRIMMED,
              message: 'The operation attempted to read past the oldest stream record in a shard.',
            });
            response.writeHead(400, {
              'content-type': 'application/x-amz-json-1.0',
              'content-length': Buffer.byteLength(answer),
            });
            response.end(answer);
            return;
          }
          if (input.ShardIteratorType === 'TRIM_HORIZON') {
            body = Buffer.from(
              JSON.stringify({ ...input, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: horizon }),
            );
          }
        }
      }
      // The SDK signed the body it sent; DynamoDB Local does not check signatures.
      const upstreamRequest = forward(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host, 'content-length': String(body.length) },
        },
        (upstreamResponse) => {
          response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(response);
        },
      );
      upstreamRequest.on('error', () => response.socket?.destroy());
      upstreamRequest.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    trim(shardId, oldestSequenceNumber) {
      horizons.set(shardId, oldestSequenceNumber);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
