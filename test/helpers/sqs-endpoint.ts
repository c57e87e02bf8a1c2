// An SQS endpoint for tests, speaking the protocol the SDK's SQSClient speaks: AWS JSON 1.0 through
// test/helpers/json-protocol.ts (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`, `Content-Type:
// application/x-amz-json-1.0`: "Making query API requests using AWS JSON protocol in Amazon SQS",
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html).
// It serves what the admin CLI's `history replay` calls, as the SQS API reference documents them:
// GetQueueUrl (QueueDoesNotExist for another name), ReceiveMessage (at most MaxNumberOfMessages 1–10 of
// the visible messages, each hidden for VisibilityTimeout seconds and given a new receipt handle, with
// MD5OfBody, which the SDK checks) and DeleteMessage (by the latest receipt handle: an older one is
// accepted and deletes nothing, as SQS documents). Tests put messages in and read what is left.
import { createHash, randomUUID } from 'node:crypto';
import { JsonProtocolError, startJsonProtocolServer } from './json-protocol.ts';

const ERROR = 'com.amazonaws.sqs#';
const ACCOUNT = '123456789012';

interface StoredMessage {
  MessageId: string;
  Body: string;
  receiptHandle: string | undefined;
  visibleAt: number;
}

export interface SqsEndpoint {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_SQS or a client's `endpoint`. */
  url: string;
  /** Operations called, in order. */
  calls: string[];
  /** Creates a queue; its URL (`<url>/<account>/<name>`). */
  createQueue(name: string): string;
  /** Puts a message in the queue (as Lambda's on-failure destination does); its MessageId. */
  send(queueUrl: string, body: string): string;
  /** The messages still in the queue (received or not). */
  messages(queueUrl: string): { MessageId: string; Body: string }[];
  /** Makes every message of the queue visible again (its visibility timeout passed). */
  expireVisibility(queueUrl: string): void;
  stop(): Promise<void>;
}

export async function startSqsEndpoint(): Promise<SqsEndpoint> {
  const queues = new Map<string, StoredMessage[]>();
  let base = '';
  const queue = (input: Record<string, unknown>) => {
    const found = queues.get(String(input.QueueUrl));
    if (!found)
      throw new JsonProtocolError(400, `${ERROR}QueueDoesNotExist`, 'The specified queue does not exist.');
    return found;
  };
  const server = await startJsonProtocolServer({
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    serve(operation, input) {
      switch (operation) {
        case 'GetQueueUrl': {
          const url = `${base}/${ACCOUNT}/${String(input.QueueName)}`;
          if (!queues.has(url))
            throw new JsonProtocolError(
              400,
              `${ERROR}QueueDoesNotExist`,
              'The specified queue does not exist.',
            );
          return { QueueUrl: url };
        }
        case 'ReceiveMessage': {
          const messages = queue(input);
          const max = Number(input.MaxNumberOfMessages ?? 1);
          if (!Number.isInteger(max) || max < 1 || max > 10)
            throw new JsonProtocolError(
              400,
              `${ERROR}InvalidParameterValue`,
              'MaxNumberOfMessages must be 1 to 10',
            );
          const now = Date.now();
          const visibility = Number(input.VisibilityTimeout ?? 30) * 1000;
          const received = messages.filter((message) => message.visibleAt <= now).slice(0, max);
          return {
            Messages: received.map((message) => {
              message.receiptHandle = randomUUID();
              message.visibleAt = now + visibility;
              return {
                MessageId: message.MessageId,
                ReceiptHandle: message.receiptHandle,
                MD5OfBody: createHash('md5').update(message.Body).digest('hex'),
                Body: message.Body,
              };
            }),
          };
        }
        case 'DeleteMessage': {
          const messages = queue(input);
          const index = messages.findIndex((message) => message.receiptHandle === input.ReceiptHandle);
          if (index >= 0) messages.splice(index, 1);
          return {};
        }
        default:
          throw new JsonProtocolError(400, 'UnknownOperationException', `${operation} is not served here`);
      }
    },
  });
  base = server.url;
  return {
    url: server.url,
    calls: server.calls,
    stop: server.stop,
    createQueue(name) {
      const url = `${base}/${ACCOUNT}/${name}`;
      queues.set(url, queues.get(url) ?? []);
      return url;
    },
    send(queueUrl, body) {
      const MessageId = randomUUID();
      queues.get(queueUrl)?.push({ MessageId, Body: body, receiptHandle: undefined, visibleAt: 0 });
      return MessageId;
    },
    messages: (queueUrl) => (queues.get(queueUrl) ?? []).map(({ MessageId, Body }) => ({ MessageId, Body })),
    expireVisibility(queueUrl) {
      for (const message of queues.get(queueUrl) ?? []) message.visibleAt = 0;
    },
  };
}
