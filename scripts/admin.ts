// `npm run admin -- <command>`: accounts and access keys, and buckets' change history, against the
// local stack or a deployed stage's table (docs/accounts.md, docs/history.md). One file per command
// under scripts/admin/, one output module (its --json convention), one line per failure.
import { parseArgs } from 'node:util';
import { logger } from '../lib/log.ts';
import { describeFailure } from './admin/failures.ts';
import { createOutput } from './admin/output.ts';
import type { Target } from './admin/target.ts';
import {
  COMMON_OPTIONS,
  type Command,
  commandUsage,
  generalUsage,
  groupUsage,
  OPTIONS,
  type Options,
  UsageError,
} from './admin/usage.ts';

// `npm start` imports the state file's path from here; the commands (and their AWS clients) load
// only when a command runs.
export { LOCAL_STATE_FILE } from './admin/state-file.ts';
export { UsageError } from './admin/usage.ts';

/** A failed command, in one line that says what went wrong (scripts/admin/failures.ts); exit status 1. */
export class CommandFailed extends Error {}

const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, option]) => [
    name,
    { type: option.type, ...('short' in option ? { short: option.short } : {}) },
  ]),
) as { [name in keyof typeof OPTIONS]: { type: (typeof OPTIONS)[name]['type']; short?: string } };

/** The command the words name, longest match first (`history replay` before `history BUCKET`). */
function findCommand(
  commands: readonly Command[],
  words: readonly string[],
): { command: Command; args: string[] } | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const own = command.words.split(' ');
    if (
      own.every((word, index) => words[index] === word) &&
      own.length > (best?.words.split(' ').length ?? 0)
    )
      best = command;
  }
  return best && { command: best, args: words.slice(best.words.split(' ').length) };
}

const groupOf = (command: Command) => command.words.split(' ')[0];

export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: PARSE_OPTIONS });
  const options = values as Options;
  const { COMMANDS } = await import('./admin/commands.ts');
  const found = findCommand(COMMANDS, positionals);
  if (!found) {
    const [group] = positionals;
    if (group === undefined) return print(generalUsage(COMMANDS));
    const members = COMMANDS.filter((command) => groupOf(command) === group);
    // `key` alone (or `key --help`): what `key` can do.
    if (members.length > 0 && positionals.length === 1) return print(groupUsage(group, members));
    throw new UsageError(
      `unknown command "${positionals.slice(0, 2).join(' ')}" (see: npm run admin -- ${members.length ? `${group} ` : ''}--help)`,
    );
  }
  const { command, args } = found;
  if (options.help) {
    const related = COMMANDS.filter((other) => other !== command && groupOf(other) === groupOf(command));
    return print(commandUsage(command, related));
  }
  const allowed = new Set([...COMMON_OPTIONS, ...command.options]);
  const foreign = Object.keys(values).filter((name) => !allowed.has(name as keyof typeof OPTIONS));
  if (foreign.length > 0) {
    throw new UsageError(
      `${command.words} does not take ${foreign.map((name) => `--${name}`).join(', ')} (see: npm run admin -- ${command.words} --help)`,
    );
  }
  const { selectTarget } = await import('./admin/target.ts');
  let chosen: Target | undefined;
  try {
    await command.run({
      args,
      options,
      env,
      out: createOutput(options.json === true, print),
      target: () => {
        chosen ??= selectTarget(options, env);
        return chosen;
      },
    });
  } catch (error) {
    if (error instanceof UsageError) {
      // A message that already says where to look keeps its own pointer.
      if (/\(see: [^)]*\)$/.test(error.message)) throw error;
      throw new UsageError(`${error.message} (see: npm run admin -- ${command.words} --help)`);
    }
    const failure = describeFailure(error, chosen);
    if (failure) throw new CommandFailed(failure, { cause: error });
    throw error;
  } finally {
    chosen?.close();
  }
}

if (import.meta.main) {
  // The storage layer logs each failed request in full for the Lambdas; here the one line below says
  // it. LOG_LEVEL=DEBUG shows those logs and the error's stack.
  if (!process.env.LOG_LEVEL) logger.setLogLevel('SILENT');
  try {
    await run(process.argv.slice(2), process.env, (line) => console.log(line));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.replace(/\s*\n\s*/g, ' ')}`);
    if (process.env.LOG_LEVEL === 'DEBUG') console.error(error);
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.exit(usage ? 2 : 1);
  }
}
