// The admin CLI's commands as data: each command file exports its `Command` (words, synopsis,
// options, help); scripts/admin.ts parses the line, finds the command, refuses options it does not
// take, and prints the general, a group's (`key`) or one command's (`history --help`) usage from here.
import { isAccountId } from '../../lib/request.ts';
import type { Output } from './output.ts';
import type { Target } from './target.ts';

/** Bad input: exit status 2, the message, and the command's usage when it helps. */
export class UsageError extends Error {}

/** An `--account`/`--owner` value: a 12-digit account id, as the service's own account ids are. */
export function accountIdOption(flag: 'account' | 'owner', value: string | undefined): string | undefined {
  if (value !== undefined && !isAccountId(value))
    throw new UsageError(`--${flag} must be a 12-digit account id (got "${value}")`);
  return value;
}

/** Every option of every command (node:util parseArgs), described once. */
export const OPTIONS = {
  name: { type: 'string', value: 'NAME', help: "the account's name" },
  account: { type: 'string', value: 'ID', help: 'an account id' },
  owner: { type: 'string', value: 'ID', help: "the bucket owner's account id" },
  bucket: { type: 'string', value: 'BUCKET', help: 'the bucket (for a bucket named like a subcommand)' },
  since: { type: 'string', value: 'ISO', help: 'only changes at or after this time (ISO 8601)' },
  limit: { type: 'string', value: 'N', help: 'at most N' },
  cursor: { type: 'string', value: 'CURSOR', help: 'go on where a page stopped (its nextCursor)' },
  after: { type: 'string', value: 'CURSOR', help: 'the former name of --cursor' },
  queue: { type: 'string', value: 'URL', help: "the on-failure queue's URL (or name)" },
  'retention-days': { type: 'string', value: 'N', help: "the stage's historyRetentionDays (default 400)" },
  endpoint: { type: 'string', value: 'URL', help: 'a DynamoDB endpoint (DynamoDB Local)' },
  table: { type: 'string', value: 'NAME', help: 'the table at --endpoint' },
  stage: { type: 'string', value: 'STAGE', help: 'a deployed stage' },
  region: { type: 'string', value: 'REGION', help: "the stage's region" },
  json: { type: 'boolean', help: 'one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Options = {
  [name in OptionName]?: (typeof OPTIONS)[name]['type'] extends 'boolean' ? boolean : string;
};

/** Options every command takes: where (the target) and how (--json, --help). */
export const COMMON_OPTIONS: readonly OptionName[] = ['endpoint', 'table', 'stage', 'region', 'json', 'help'];

export interface CommandContext {
  /** The words after the command's own (`key disable AKIA…` → [AKIA…]). */
  args: readonly string[];
  options: Options;
  env: NodeJS.ProcessEnv;
  out: Output;
  /** The table and clients, chosen from the options (made on first use, closed after the command). */
  target(): Target;
}

export interface Command {
  /** The words that name it: `key create`, `history`, `history replay`. */
  words: string;
  /** What follows the words in its usage line: `--account ID`, `BUCKET [--since ISO]`. */
  synopsis: string;
  /** One line for the command list. */
  summary: string;
  /** What `<command> --help` adds below the usage line. */
  help?: string;
  /** The options it takes besides COMMON_OPTIONS. */
  options: readonly OptionName[];
  /** What an option means for this command, where OPTIONS' general words are not enough. */
  optionHelp?: Partial<Record<OptionName, string>>;
  run(context: CommandContext): Promise<void>;
}

const TARGET_HELP = `target (default: the stack \`npm start\` is running, from .local/stack.json):
  --endpoint URL --table NAME       a DynamoDB endpoint (DynamoDB Local) and table; secrets sealed with the local key
  --stage STAGE [--region REGION]   a deployed stage: table bucket-encryption-api-STAGE, secrets sealed by KMS
                                    alias/bucket-encryption-api-STAGE-secrets, AWS credentials from the environment
                                    (AWS_PROFILE, AWS_ACCESS_KEY_ID, …; AWS_ENDPOINT_URL_<SERVICE> is honoured)
output:
  --json                            one JSON document on stdout (lists under a key, e.g. {"accounts": […]});
                                    errors are one line on stderr, exit status 1 (2 for bad input)`;

const line = (command: Command) => `${command.words} ${command.synopsis}`.trim();

function commandList(commands: readonly Command[]): string {
  // Summaries in one column; a command line too long for it puts its summary on the next line.
  const width = Math.min(Math.max(...commands.map((command) => line(command).length)), 34) + 2;
  return commands
    .map((command) => {
      const text = line(command);
      return text.length < width
        ? `  ${text.padEnd(width)}${command.summary}`
        : `  ${text}\n  ${' '.repeat(width)}${command.summary}`;
    })
    .join('\n');
}

/** The general usage: every command, one line each. */
export function generalUsage(commands: readonly Command[]): string {
  return `usage: npm run admin -- <command> [options]      (npm run admin -- <command> --help: one command)

commands:
${commandList(commands)}

${TARGET_HELP}`;
}

/** A group's usage (`key`): its commands. */
export function groupUsage(group: string, commands: readonly Command[]): string {
  return `usage: npm run admin -- ${group} <command> [options]

${group} commands:
${commandList(commands)}

npm run admin -- ${group} <command> --help: one command; npm run admin -- --help: every command and the target options`;
}

/** One command's usage: its line, its help, its options. */
export function commandUsage(command: Command, related: readonly Command[] = []): string {
  const own = command.options
    .map((name) => {
      const option = OPTIONS[name];
      const flag = `--${name}${'value' in option ? ` ${option.value}` : ''}`;
      return `  ${flag.padEnd(34)}${command.optionHelp?.[name] ?? option.help}`;
    })
    .join('\n');
  return [
    `usage: npm run admin -- ${line(command)}`,
    '',
    command.help ?? command.summary,
    ...(own ? ['', 'options:', own] : []),
    ...(related.length ? ['', 'see also:', commandList(related)] : []),
    '',
    TARGET_HELP,
  ].join('\n');
}
