/**
 * The one Lua script of the Redis backend (loaded once, called by EVALSHA; a command name in ARGV dispatches).
 * Key layout and record formats: docs/redis.md. Every key starts with KEYS[1] = "{prefix}", so all of them hash to
 * one slot (Redis Cluster runs the script on the node that owns it).
 *
 * ARGV: [1] instance id (the state's identity; a mismatch means the data was lost or re-created), [2] session
 * number (one per open backend), [3] op number (> 0: an ordered, acknowledged mutation, see below; 0: a read or
 * an idempotent command), [4] command, [5..] command arguments.
 *
 * Ordered ops: op n of a session runs only after op n-1 ("SF_ORDER" otherwise, nothing written) and its reply is
 * kept under {p}:ack:<session>, so a retry after a lost reply returns the stored reply instead of applying the op
 * twice. Every command validates before its first write, so a script never fails half-way.
 *
 * The script is one Lua chunk assembled from its parts in this order (each part may use the locals of the parts
 * before it): the prelude (helpers, `init`, identity check, ordered ops), the dedup index and its commands, the
 * ledger commands, the per-partition commands, and the answer to an unknown command.
 */
import { DEDUP_COMMANDS } from './redis/script/dedup-commands.js';
import { DEDUP_INDEX } from './redis/script/dedup-index.js';
import { LEDGER } from './redis/script/ledger.js';
import { PARTITION } from './redis/script/partition.js';
import { PRELUDE } from './redis/script/prelude.js';

const UNKNOWN_COMMAND = String.raw`
return redis.error_reply('SF_BAD_COMMAND ' .. tostring(CMD))
`;

export const SCRIPT = PRELUDE + DEDUP_INDEX + DEDUP_COMMANDS + LEDGER + PARTITION + UNKNOWN_COMMAND;
