import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { DEFAULT_MAX_BLOCK_MS } from '../config/env.js';

/** Shared option definitions: the demos take the same `ms` and `work`, so comparisons are fair. */
export const msOption = {
  type: ApplicationCommandOptionType.Integer,
  name: 'ms',
  description: 'How long the work takes, in milliseconds (Discord allows 3000 ms for the first answer)',
  required: true,
  min_value: 1,
  max_value: DEFAULT_MAX_BLOCK_MS,
} as const;

export const workOption = {
  type: ApplicationCommandOptionType.String,
  name: 'work',
  description: 'What kind of synchronous work (default: cpu)',
  choices: [
    { name: 'cpu: a busy loop', value: 'cpu' },
    { name: 'crypto: pbkdf2Sync', value: 'crypto' },
    { name: 'fs: readFileSync + gzipSync', value: 'fs' },
    { name: 'json: parse/stringify a big document', value: 'json' },
    { name: 'sleep: Atomics.wait (like time.sleep)', value: 'sleep' },
    { name: 'regex: catastrophic backtracking', value: 'regex' },
  ],
} as const;

export const ioKindOption = {
  type: ApplicationCommandOptionType.String,
  name: 'kind',
  description: 'What asynchronous work to await (default: timer)',
  choices: [
    { name: 'timer: setTimeout', value: 'timer' },
    { name: 'fs: fs.promises.readFile', value: 'fs' },
    { name: 'crypto: crypto.pbkdf2 (thread pool)', value: 'crypto' },
    { name: 'zlib: zlib.gzip (thread pool)', value: 'zlib' },
  ],
} as const;
