// `history replay`: writes the history entries the stream consumer gave up on. When the history Lambda
// fails a batch past its retries, Lambda sends the event source mapping's on-failure destination (the
// stage's SQS queue `bucket-encryption-api-<stage>-history-failed`) an invocation record that names the
// batch, not its records: `DDBStreamBatchInfo` {shardId, startSequenceNumber, endSequenceNumber,
// streamArn, batchSize, …} ("Retaining discarded records for a DynamoDB event source in Lambda",
// https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). The records stay in the
// table's stream for 24 hours. For each message this reads the shard from the batch's first record
// (AT_SEQUENCE_NUMBER) through its last, hands the records to the recorder the Lambda runs
// (lib/history/recorder.ts: the same entries, idempotent, so a change already recorded gets no second
// entry), deletes the message once everything still recoverable is written, and reports the records
// already trimmed from the stream: their changes stay visible as gaps in `history`.
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { recordHistory } from '../../lib/history/recorder.ts';
import type { HistoryStore } from '../../lib/storage/history.ts';
import { asEventRecord } from '../history-stream.ts';
import { SERVICE_NAME } from '../local-stack.ts';
import { describeFailure } from './failures.ts';
import type { Target } from './target.ts';
import { type Command, UsageError } from './usage.ts';

/** The part of Lambda's on-failure invocation record for a DynamoDB stream that names the batch. */
export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  batchSize: number;
}

/** The batch a message names, or why it names none. */
export function batchInfoOf(body: string | undefined): StreamBatchInfo | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return 'not JSON';
  }
  const info = (parsed as { DDBStreamBatchInfo?: Record<string, unknown> } | null)?.DDBStreamBatchInfo;
  const text = (name: string) => (typeof info?.[name] === 'string' ? (info[name] as string) : undefined);
  const shardId = text('shardId');
  const startSequenceNumber = text('startSequenceNumber');
  const endSequenceNumber = text('endSequenceNumber');
  const streamArn = text('streamArn');
  if (!shardId || !startSequenceNumber || !endSequenceNumber || !streamArn)
    return 'no DDBStreamBatchInfo with shardId, startSequenceNumber, endSequenceNumber and streamArn: not an on-failure record of a DynamoDB stream';
  if (!/^\d+$/.test(startSequenceNumber) || !/^\d+$/.test(endSequenceNumber))
    return 'its sequence numbers are not numbers';
  const batchSize = typeof info?.batchSize === 'number' ? info.batchSize : 0;
  return { shardId, startSequenceNumber, endSequenceNumber, streamArn, batchSize };
}

/** The table a stream ARN belongs to: arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>. */
const tableOfStream = (streamArn: string) => /:table\/([^/]+)\/stream\//.exec(streamArn)?.[1];

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

/** The records of the batch still in the stream, and whether some of it was trimmed or could not be read. */
interface BatchRead {
  records: StreamRecord[];
  /** Records older than the stream's 24 hours are gone: the start was trimmed, or the shard is. */
  trimmed: boolean;
  /** Read through the batch's last record (or all that is left of it). */
  complete: boolean;
}

/** Empty pages read in a row before giving up on an open shard (GetRecords may answer empty pages). */
const EMPTY_PAGES = 5;

async function readBatch(streams: DynamoDBStreamsClient, batch: StreamBatchInfo): Promise<BatchRead> {
  const start = BigInt(batch.startSequenceNumber);
  const end = BigInt(batch.endSequenceNumber);
  const records: StreamRecord[] = [];
  let trimmed = false;
  let last = start - 1n; // the last sequence number kept, and as the stream wrote it
  let lastText = '';
  const iterator = async (
    position: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'SequenceNumber'>,
  ): Promise<string | undefined> =>
    (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: batch.streamArn, ShardId: batch.shardId, ...position }),
      )
    ).ShardIterator;
  /** From the batch's first record; from the oldest left when it is trimmed already. */
  const open = async (): Promise<string | undefined> => {
    try {
      return await iterator(
        last < start
          ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: batch.startSequenceNumber }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastText },
      );
    } catch (error) {
      if (errorName(error) !== 'TrimmedDataAccessException') throw error;
      trimmed = true;
      return iterator({ ShardIteratorType: 'TRIM_HORIZON' });
    }
  };
  let shardIterator: string | undefined;
  try {
    shardIterator = await open();
  } catch (error) {
    // A shard (or the stream) whose records are all past 24 hours is no longer there.
    if (errorName(error) === 'ResourceNotFoundException') return { records, trimmed: true, complete: true };
    throw error;
  }
  let empty = 0;
  while (shardIterator) {
    let page: GetRecordsCommandOutput;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: 1000 }));
    } catch (error) {
      // Trimmed while being read (AWS: TrimmedDataAccessException), or the iterator's 15 minutes passed.
      if (
        errorName(error) !== 'TrimmedDataAccessException' &&
        errorName(error) !== 'ExpiredIteratorException'
      )
        throw error;
      shardIterator = await open();
      continue;
    }
    for (const record of page.Records ?? []) {
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > end) return { records, trimmed, complete: true };
      if (sequence < start || sequence <= last) continue;
      records.push(record);
      last = sequence;
      lastText = record.dynamodb?.SequenceNumber ?? '';
      if (sequence === end) return { records, trimmed, complete: true };
    }
    // A closed shard read to its end: nothing more of the batch can come.
    if (!page.NextShardIterator) return { records, trimmed, complete: true };
    empty = page.Records?.length ? 0 : empty + 1;
    // An open shard with nothing more to give: all of the batch that is left was read when part of it is trimmed.
    if (empty >= EMPTY_PAGES) return { records, trimmed, complete: trimmed };
    shardIterator = page.NextShardIterator;
  }
  return { records, trimmed, complete: true };
}

/** What replaying one message did. */
interface MessageReport {
  messageId: string;
  shardId: string | null;
  startSequenceNumber: string | null;
  endSequenceNumber: string | null;
  batchSize: number | null;
  /** Stream records read in the batch's range (the mapping's batch holds those of bucket items). */
  recordsRead: number;
  /** Entries written now, and entries that were there already (nothing written twice). */
  written: number;
  alreadyRecorded: number;
  /** Records of the batch no longer in the stream (trimmed after 24 hours): their changes stay gaps. */
  notRecovered: number;
  deleted: boolean;
  /** Why the message was left in the queue, or what could not be recovered. */
  problem: string | null;
}

interface ReplaySettings {
  target: Target;
  retentionDays: number;
}

async function replayMessage(
  message: Message,
  { target, retentionDays }: ReplaySettings,
): Promise<{ report: MessageReport; done: boolean }> {
  const report: MessageReport = {
    messageId: message.MessageId ?? '',
    shardId: null,
    startSequenceNumber: null,
    endSequenceNumber: null,
    batchSize: null,
    recordsRead: 0,
    written: 0,
    alreadyRecorded: 0,
    notRecovered: 0,
    deleted: false,
    problem: null,
  };
  const batch = batchInfoOf(message.Body);
  if (typeof batch === 'string') return { report: { ...report, problem: batch }, done: false };
  Object.assign(report, {
    shardId: batch.shardId,
    startSequenceNumber: batch.startSequenceNumber,
    endSequenceNumber: batch.endSequenceNumber,
    batchSize: batch.batchSize,
  });
  const table = tableOfStream(batch.streamArn);
  if (table !== target.tableName)
    return {
      report: { ...report, problem: `its stream is table ${table ?? '?'}'s, not ${target.tableName}'s` },
      done: false,
    };

  let failure: unknown;
  // The recorder's store, counting what it writes; its failure is kept to be reported.
  const counted: HistoryStore = {
    listHistory: target.history.listHistory,
    async putEntry(entry, expiresAt) {
      try {
        const written = await target.history.putEntry(entry, expiresAt);
        if (written) report.written++;
        else report.alreadyRecorded++;
        return written;
      } catch (error) {
        failure = error;
        throw error;
      }
    },
  };
  let read: BatchRead;
  try {
    read = await readBatch(target.streams(), batch);
  } catch (error) {
    return {
      report: {
        ...report,
        problem: `reading the stream: ${describeFailure(error, target) ?? String(error)}`,
      },
      done: false,
    };
  }
  report.recordsRead = read.records.length;
  const { batchItemFailures } = await recordHistory(read.records.map(asEventRecord), {
    history: counted,
    retentionDays,
  });
  if (batchItemFailures.length > 0) {
    const problem = `writing an entry: ${describeFailure(failure, target) ?? String(failure)}`;
    return { report: { ...report, problem }, done: false };
  }
  if (!read.complete) {
    const problem = `the stream did not give the batch's records through ${batch.endSequenceNumber}; try again`;
    return { report: { ...report, problem }, done: false };
  }
  if (read.trimmed) {
    // The mapping's batch holds the bucket items' records of the range (its filter: pk BUCKET#…).
    const found = read.records.filter((record) => record.dynamodb?.Keys?.pk?.S?.startsWith('BUCKET#')).length;
    report.notRecovered = Math.max(batch.batchSize - found, 0);
  }
  // Everything of the batch still in the stream is recorded: the message may go.
  return { report, done: true };
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function messageText(report: MessageReport): string[] {
  const range = report.shardId
    ? ` (${report.shardId}, ${report.startSequenceNumber}…${report.endSequenceNumber}, ${plural(report.batchSize ?? 0, 'record')})`
    : '';
  const counts = `${plural(report.written, 'entry', 'entries')} written, ${report.alreadyRecorded} already recorded`;
  const fate = report.deleted ? 'deleted from the queue' : 'left in the queue';
  return [
    `message ${report.messageId}${range}: ${counts}; ${fate}`,
    ...(report.problem ? [`    ${report.problem}`] : []),
  ];
}

/** Receives at most this long for a message (long polling asks every SQS server, not a sample). */
const WAIT_SECONDS = 1;
/** A received message stays hidden this long: its replay must finish within it. */
const VISIBILITY_SECONDS = 300;
const DEFAULT_RETENTION_DAYS = 400;

export const historyReplay: Command = {
  words: 'history replay',
  synopsis: '[--queue URL] [--retention-days N] [--limit N]',
  summary: "write the history entries the stream consumer gave up on (its on-failure queue's messages)",
  help: `Reads the history consumer's on-failure queue (with --stage: bucket-encryption-api-STAGE-history-failed,
the stack's HistoryFailedQueueUrl output; otherwise --queue URL). Each message names a batch of the
table's stream that the history Lambda failed past its retries. The batch's records are read from the
stream while it still holds them (24 hours) and recorded as the Lambda records them: a change already
recorded gets no second entry, so replaying twice writes nothing new. A message is deleted once all of
its batch that is still in the stream is recorded; records already trimmed are reported, and their
changes stay visible as gaps in \`history\`. A message that cannot be replayed now (the stream or the
table unreachable, a message of another table) is left in the queue and the exit status is 1.
Change events (eventBus) are not published by a replay.`,
  options: ['queue', 'retention-days', 'limit'],
  optionHelp: {
    queue:
      "the on-failure queue's URL (with --stage: its name, default bucket-encryption-api-STAGE-history-failed)",
    'retention-days': "the stage's historyRetentionDays param, for the entries' expiry (default 400)",
    limit: 'at most N messages',
  },
  async run({ args, options, out, target }) {
    if (args.length > 0) throw new UsageError(`history replay takes no arguments (got ${args.join(' ')})`);
    let retentionDays = DEFAULT_RETENTION_DAYS;
    if (options['retention-days'] !== undefined) {
      retentionDays = Number(options['retention-days']);
      if (!Number.isInteger(retentionDays) || retentionDays <= 0)
        throw new UsageError(
          `--retention-days must be a positive integer (got "${options['retention-days']}")`,
        );
    }
    let limit = Number.POSITIVE_INFINITY;
    if (options.limit !== undefined) {
      limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit <= 0)
        throw new UsageError(`--limit must be a positive integer (got "${options.limit}")`);
    }
    const chosen = target();
    let queueUrl = options.queue;
    if (queueUrl === undefined || !/^https?:\/\//.test(queueUrl)) {
      if (!chosen.stage)
        throw new UsageError(
          "history replay needs --queue URL (the queue URL), or --stage STAGE for the stage's queue",
        );
      const QueueName = queueUrl ?? `${SERVICE_NAME}-${chosen.stage.name}-history-failed`;
      try {
        queueUrl = (await chosen.sqs().send(new GetQueueUrlCommand({ QueueName }))).QueueUrl ?? '';
      } catch (error) {
        if (!/QueueDoesNotExist|NonExistentQueue/.test(errorName(error) ?? '')) throw error;
        throw new Error(
          `queue ${QueueName} not found in ${chosen.stage.region}: is stage "${chosen.stage.name}" deployed there with its on-failure queue (output HistoryFailedQueueUrl)?`,
        );
      }
    }
    const QueueUrl = queueUrl;

    const list = out.stream('messages', { queueUrl: QueueUrl });
    const seen = new Set<string>();
    const totals = { messages: 0, deleted: 0, left: 0, written: 0, alreadyRecorded: 0, notRecovered: 0 };
    while (totals.messages < limit) {
      const { Messages = [] } = await chosen.sqs(QueueUrl).send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: Math.min(10, limit - totals.messages),
          WaitTimeSeconds: WAIT_SECONDS,
          VisibilityTimeout: VISIBILITY_SECONDS,
        }),
      );
      // A message left in the queue comes back after its visibility timeout: once is enough per run.
      const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? '');
        const { report, done } = await replayMessage(message, { target: chosen, retentionDays });
        if (report.notRecovered > 0) {
          report.problem = `${plural(report.notRecovered, 'record')} of the batch's ${report.batchSize} no longer in the stream (trimmed after 24 hours): their changes stay gaps in the history`;
        }
        if (done) {
          try {
            await chosen
              .sqs(QueueUrl)
              .send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
            report.deleted = true;
          } catch (error) {
            const deleting = `deleting the message: ${describeFailure(error, chosen) ?? String(error)} (its entries are written; a replay again writes nothing new)`;
            report.problem = report.problem ? `${report.problem}; ${deleting}` : deleting;
          }
        }
        totals.messages++;
        totals[report.deleted ? 'deleted' : 'left']++;
        totals.written += report.written;
        totals.alreadyRecorded += report.alreadyRecorded;
        totals.notRecovered += report.notRecovered;
        list.item(messageText(report), report);
      }
    }
    list.end({ summary: totals });
    out.line(
      totals.messages === 0
        ? `(no messages in ${QueueUrl})`
        : `${plural(totals.messages, 'message')}: ${plural(totals.written, 'entry', 'entries')} written, ${totals.alreadyRecorded} already recorded, ${plural(totals.notRecovered, 'record')} no longer in the stream; ${totals.deleted} deleted, ${totals.left} left in the queue`,
    );
    if (totals.left > 0)
      throw new Error(
        `${plural(totals.left, 'message')} left in the queue (see above); replay again once the cause is fixed`,
      );
  },
};
