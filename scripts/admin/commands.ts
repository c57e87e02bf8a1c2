// Every admin command, in the order the usage lists them: one file each.
import { accountCreate, accountList } from './account.ts';
import { history } from './history.ts';
import { historyReplay } from './history-replay.ts';
import { keyCreate, keyDelete, keyDisable, keyEnable, keyList } from './key.ts';
import type { Command } from './usage.ts';

export const COMMANDS: readonly Command[] = [
  accountCreate,
  accountList,
  keyCreate,
  keyList,
  keyDisable,
  keyEnable,
  keyDelete,
  history,
  historyReplay,
];
