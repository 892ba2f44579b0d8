/**
 * Start of the Redis backend's Lua script (assembled in ../../redis-script.ts): its arguments, byte and bucket
 * helpers, the `init` command, the state identity check that every later command passes, and ordered ops (numbered
 * mutations that run in issue order and are acknowledged, so a retried op is answered from `done`'s stored reply).
 */
export const PRELUDE = String.raw`
local P = KEYS[1]
local INSTANCE, SESSION, OP, CMD = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local call = redis.call

local function be32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end
local function rd32(s, i)
  local a, b, c, d = string.byte(s, i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local function be16(n) return string.char(math.floor(n / 256) % 256, n % 256) end
local function rd16(s, i)
  local a, b = string.byte(s, i, i + 1)
  return a * 256 + b
end
local function str16(s) return be16(#s) .. s end
-- bucket of a binary hash: its top bits (at most 24) as fixed-width hex (clients precompute it on the hot paths)
local function bucket(s, bits)
  local a, b, c = string.byte(s, 1, 3)
  return string.format('%0' .. math.ceil(bits / 4) .. 'x', math.floor(((a * 256 + b) * 256 + c) / 2 ^ (24 - bits)))
end

if CMD == 'init' then
  -- [5] new instance id, [6] fingerprint, [7] format, [8] lanes, [9] bands, [10] rows, [11] bucket bits, [12] created
  local m = P .. ':meta'
  if call('EXISTS', m) == 0 then
    call('HSET', m, 'instance', ARGV[5], 'fingerprint', ARGV[6], 'format', ARGV[7], 'lanes', ARGV[8], 'bands', ARGV[9],
      'rows', ARGV[10], 'bits', ARGV[11], 'created', ARGV[12])
  end
  local v = call('HMGET', m, 'instance', 'fingerprint', 'format', 'lanes', 'bands', 'rows', 'bits')
  v[8] = tostring(call('INCR', P .. ':sess'))
  return v
end

if call('HGET', P .. ':meta', 'instance') ~= INSTANCE then
  return redis.error_reply('SF_STATE_LOST the shared state under ' .. P .. ' is gone or was re-created since this worker started (server restarted without persistence, flushed, or failed over to an empty replica)')
end

local ackKey = P .. ':ack:' .. ARGV[2]
if OP > 0 then
  local prev = call('HGET', ackKey, 'r' .. OP)
  if prev then return prev end
  local last = tonumber(call('HGET', ackKey, 'last') or '0')
  if last >= OP then return redis.error_reply('SF_ACK_LOST op ' .. OP .. ' of session ' .. ARGV[2] .. ' was applied but its reply is gone') end
  if last ~= OP - 1 then return redis.error_reply('SF_ORDER op ' .. OP .. ' waits for op ' .. (last + 1)) end
end
local function done(out)
  if OP > 0 then
    call('HSET', ackKey, 'r' .. OP, out, 'last', OP)
    if OP > 512 then call('HDEL', ackKey, 'r' .. (OP - 512)) end
    call('PEXPIRE', ackKey, 86400000)
  end
  return out
end
`;
