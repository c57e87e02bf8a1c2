// Where `npm start` writes its stack's DynamoDB endpoint and table (scripts/start.ts), and where the
// admin CLI finds them by default. A module of its own: `npm start` reads it without loading the CLI.
import { join } from 'node:path';
import { ROOT } from '../local-stack.ts';

export const LOCAL_STATE_FILE = join(ROOT, '.local', 'stack.json');
