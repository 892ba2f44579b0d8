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
 */
export const SCRIPT = String.raw`
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

-- ---------------------------------------------------------------------------------------------------------------
-- near-duplicate index
-- dedup commands: [5] lanes L, [6] bands B, [7] equal lanes needed, [8] max candidates, [9] 1 exact + 2 near,
-- [10] band bucket bits, [11] exact/ledger bucket bits, [12] partition hash, [13..] records
local L, B, NEED, MAXC, EXACT, NEAR, BB, XB, PH, W, SIG, XH, BH, BKO, BNO
local function dedupParams()
  L, B, NEED, MAXC = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local f = tonumber(ARGV[9])
  EXACT, NEAR = f % 2 == 1, math.floor(f / 2) % 2 == 1
  BB, XB, PH = tonumber(ARGV[10]), tonumber(ARGV[11]), ARGV[12]
  XH, BH = math.ceil(XB / 4), math.ceil(BB / 4)
  W = 13 + 2 * L  -- slot: flags(1) owner session(4) exact hash(8) 16-bit lanes(2L)
  -- record: flags(1) exact hash(8) exact bucket(XH hex) band keys(4B) band buckets(B x BH hex) lanes(2L) id(rest)
  BKO = 10 + XH
  BNO = BKO + 4 * B
  SIG = BNO + BH * B
end
local function slotKey(doc) return P .. ':s:' .. math.floor(doc / 256) end
local function slotOff(doc) return (doc % 256) * W end
local function readSlot(doc)
  local o = slotOff(doc)
  return call('GETRANGE', slotKey(doc), o, o + W - 1)
end
local function live(s) return #s == W and string.byte(s, 1) % 2 == 1 end
local function isShort(r) return math.floor(string.byte(r, 1) / 2) % 2 == 1 end

-- document numbers and the partition's list of records indexed since its last commit, written once per call
local nextDoc, newDocs = nil, {}
local function allocDoc()
  if not nextDoc then nextDoc = tonumber(call('GET', P .. ':n') or '0') end
  nextDoc = nextDoc + 1
  newDocs[#newDocs + 1] = be32(nextDoc)
  return nextDoc
end
local function flushDocs()
  if nextDoc then
    call('SET', P .. ':n', nextDoc)
    call('APPEND', P .. ':o:' .. PH, table.concat(newDocs))
  end
end

-- ids: {p}:i:<doc/128>, packed entries doc(4) length(2) id
local function idKey(doc) return P .. ':i:' .. math.floor(doc / 128) end
local function idOf(doc)
  local v = call('GET', idKey(doc)) or ''
  local i = 1
  while i + 5 <= #v do
    local n = rd16(v, i + 4)
    if rd32(v, i) == doc then return string.sub(v, i + 6, i + 5 + n) end
    i = i + 6 + n
  end
  return ''
end
local function dropId(doc)
  local k = idKey(doc)
  local v = call('GET', k)
  if not v then return end
  local keep, i = {}, 1
  while i + 5 <= #v do
    local n = rd16(v, i + 4)
    if rd32(v, i) ~= doc then keep[#keep + 1] = string.sub(v, i, i + 5 + n) end
    i = i + 6 + n
  end
  local nv = table.concat(keep)
  if #nv == 0 then call('DEL', k) else call('SET', k, nv) end
end

-- a matched record owned by another session is pinned: its owner can no longer swap it out of the index
local function pin(doc, s)
  local f = string.byte(s, 1)
  if math.floor(f / 2) % 2 == 0 and rd32(s, 2) ~= SESSION then
    call('SETRANGE', slotKey(doc), slotOff(doc), string.char(f + 2))
  end
end

-- Buckets are strings of fixed-width entries whose last 4 bytes are a doc number:
--   exact {p}:x:<bucket>  exact hash(8) doc(4)        LSH bands {p}:b:<bucket>  band key(4) doc(4)
-- docs filed under 'k' in bucket value v (entries of width w): calls f(doc)
local function scan(v, k, w, f)
  local i = 1
  while true do
    local j = string.find(v, k, i, true)
    if not j then return end
    if (j - 1) % w == 0 then
      f(rd32(v, j + w - 4))
      i = j + w
    else
      i = j + 1
    end
  end
end
-- bucket value without the entries of the docs in 'drop' (a set)
local function dropDocs(v, drop, w)
  local keep = {}
  for i = 1, #v, w do
    if not drop[rd32(v, i + w - 4)] then keep[#keep + 1] = string.sub(v, i, i + w - 1) end
  end
  return table.concat(keep)
end

-- the buckets record r is filed in, read with one MGET: names, values, band keys, index of the first band
local function readBuckets(r)
  local bk = { names = {}, ks = {}, band0 = 1 }
  if EXACT then
    bk.names[1] = P .. ':x:' .. string.sub(r, 10, 9 + XH)
    bk.band0 = 2
  end
  if NEAR and not isShort(r) then
    local pb = P .. ':b:'
    for b = 0, B - 1 do
      bk.ks[b + 1] = string.sub(r, BKO + 4 * b, BKO + 3 + 4 * b)
      bk.names[#bk.names + 1] = pb .. string.sub(r, BNO + BH * b, BNO + BH * b + BH - 1)
    end
  end
  bk.vals = #bk.names > 0 and call('MGET', unpack(bk.names)) or {}
  return bk
end

-- earliest live indexed record the record r duplicates (ignoring doc 'ignore'): kind 'X' | 'N' | nil, doc, equal
-- lanes, slot; and what was read (buckets, dead records seen), for the insert that may follow
local function probe(r, ignore)
  local bk = readBuckets(r)
  local st = { bk = bk, dead = {} }
  if EXACT and bk.vals[1] then
    local xd
    scan(bk.vals[1], string.sub(r, 2, 9), 12, function(d) xd = xd or d end)
    if xd and xd ~= ignore then
      local s = readSlot(xd)
      if live(s) then return 'X', xd, L, s, st end
      st.dead[xd] = true
    end
  end
  if #bk.ks > 0 then
    local cands, seen = {}, {}
    local add = function(d)
      if not seen[d] and d ~= ignore then
        seen[d] = true
        cands[#cands + 1] = d
      end
    end
    for b = 1, B do
      local v = bk.vals[bk.band0 + b - 1]
      if v then scan(v, bk.ks[b], 8, add) end
    end
    if #cands > 0 then
      table.sort(cands)
      local q = { string.byte(r, SIG, SIG + 2 * L - 1) }
      for ci = 1, math.min(#cands, MAXC) do
        local d = cands[ci]
        local s = readSlot(d)
        if live(s) then
          local t = { string.byte(s, 14, 13 + 2 * L) }
          local eq = 0
          for j = 1, 2 * L, 2 do
            if q[j] == t[j] and q[j + 1] == t[j + 1] then eq = eq + 1 end
          end
          if eq >= NEED then return 'N', d, eq, s, st end
        else
          st.dead[d] = true
        end
      end
    end
  end
  return nil, 0, 0, nil, st
end

-- index record r (st: what probe read for it, or nil to read afresh)
local function insert(r, st)
  local doc = allocDoc()
  local xh = string.sub(r, 2, 9)
  local d4 = be32(doc)
  -- a slot string is allocated at its full size by its first record (growing it by SETRANGE would double it)
  if doc % 256 == 0 or doc == 1 then call('SET', slotKey(doc), string.rep('\0', 256 * W)) end
  call('SETRANGE', slotKey(doc), slotOff(doc), string.char(1) .. be32(SESSION) .. xh .. string.sub(r, SIG, SIG + 2 * L - 1))
  local id = string.sub(r, SIG + 2 * L)
  call('APPEND', idKey(doc), d4 .. be16(#id) .. id)
  -- APPEND grows a string with up to 100% slack: a full id bucket is rewritten at its exact size
  if doc % 128 == 127 then call('SET', idKey(doc), call('GET', idKey(doc))) end
  local bk = st and st.bk or readBuckets(r)
  local dead = st and st.dead or {}
  local compact = next(dead) ~= nil
  -- one new value per bucket (bands may share a bucket); dead entries seen on the way are dropped
  local nv, order = {}, {}
  local function put(i, entry, w)
    local n = bk.names[i]
    if nv[n] == nil then
      local v = bk.vals[i] or ''
      if compact then v = dropDocs(v, dead, w) end
      nv[n] = v
      order[#order + 1] = n
    end
    nv[n] = nv[n] .. entry
  end
  if EXACT then put(1, xh .. d4, 12) end
  for b = 1, #bk.ks do put(bk.band0 + b - 1, bk.ks[b] .. d4, 8) end
  if #order > 0 then
    local args = {}
    for _, n in ipairs(order) do
      args[#args + 1] = n
      args[#args + 1] = nv[n]
    end
    call('MSET', unpack(args))
  end
  return doc
end

local function rewrite(k, v, nv)
  if #nv == 0 then call('DEL', k) elseif #nv ~= #v then call('SET', k, nv) end
end

-- forget a live record: clear its live bit, its exact and id entries, and (when its band keys are given) its band
-- entries; without band keys they stay and are skipped (dead) until an insert into the same bucket rewrites it
local function removeDoc(doc, s, bks)
  local f = string.byte(s, 1)
  local drop = { [doc] = true }
  call('SETRANGE', slotKey(doc), slotOff(doc), string.char(f - 1))
  local xk = P .. ':x:' .. bucket(string.sub(s, 6, 13), XB)
  local xv = call('GET', xk)
  if xv then rewrite(xk, xv, dropDocs(xv, drop, 12)) end
  dropId(doc)
  if bks and #bks > 0 then
    local done = {}
    for i = 1, #bks, 4 do
      local bk = P .. ':b:' .. bucket(string.sub(bks, i, i + 3), BB)
      if not done[bk] then
        done[bk] = true
        local v = call('GET', bk)
        if v then rewrite(bk, v, dropDocs(v, drop, 8)) end
      end
    end
  end
end

if CMD == 'check' then
  dedupParams()
  local out = {}
  for i = 13, #ARGV do
    local r = ARGV[i]
    local kind, d, eq, s, st = probe(r, -1)
    if kind then
      pin(d, s)
      out[#out + 1] = kind .. be32(d) .. be16(eq) .. str16(idOf(d))
    elseif string.byte(r, 1) % 2 == 1 then
      out[#out + 1] = 'U' .. be32(insert(r, st)) .. be16(0) .. be16(0)
    else
      out[#out + 1] = 'C' .. be32(0) .. be16(0) .. be16(0)
    end
  end
  flushDocs()
  return done(table.concat(out))
end

if CMD == 'settle' then
  -- records: root doc(4) n(2) root band keys(4n) then the chosen member's record
  dedupParams()
  local out = {}
  for i = 13, #ARGV do
    local a = ARGV[i]
    local root, n = rd32(a, 1), rd16(a, 5)
    local bks = string.sub(a, 7, 6 + 4 * n)
    local r = string.sub(a, 7 + 4 * n)
    local s = readSlot(root)
    local res = 'K' .. be32(root)
    if live(s) and math.floor(string.byte(s, 1) / 2) % 2 == 0 and rd32(s, 2) == SESSION then
      local kind = probe(r, root)
      if not kind then
        removeDoc(root, s, bks)
        res = 'S' .. be32(insert(r, nil))
      end
    end
    out[#out + 1] = res
  end
  flushDocs()
  return done(table.concat(out))
end

if CMD == 'join' then
  dedupParams()
  local out = {}
  for i = 13, #ARGV do out[#out + 1] = be32(insert(ARGV[i], nil)) end
  flushDocs()
  return done(table.concat(out))
end

if CMD == 'remove' then
  -- records: doc(4) n(2) band keys(4n)
  dedupParams()
  local n = 0
  for i = 13, #ARGV do
    local a = ARGV[i]
    local doc = rd32(a, 1)
    local s = readSlot(doc)
    if live(s) then
      removeDoc(doc, s, string.sub(a, 7, 6 + 4 * rd16(a, 5)))
      n = n + 1
    end
  end
  return done(tostring(n))
end

if CMD == 'rollback' then
  -- forget every record the partition indexed since its last commit (an interrupted run)
  dedupParams()
  local ok = P .. ':o:' .. PH
  local own = call('GET', ok) or ''
  local n = 0
  for i = 1, #own, 4 do
    local doc = rd32(own, i)
    local s = readSlot(doc)
    if live(s) then
      removeDoc(doc, s, nil)
      n = n + 1
    end
  end
  call('DEL', ok)
  return done(tostring(n))
end

-- ---------------------------------------------------------------------------------------------------------------
-- provenance ledger: {p}:l:<bucket> field exact hash (8 bytes) -> "label|emitted|p_ai|first run no|last emitting run no"
local function runNo(key, create)
  local n = call('HGET', P .. ':rn', key)
  if n or not create then return tonumber(n) end
  n = call('INCR', P .. ':rn#')
  call('HSET', P .. ':rn', key, n)
  call('HSET', P .. ':rk', n, key)
  return n
end

if CMD == 'ledger_get' then
  -- [5] exact bucket bits, [6] current run key (its own notes are not counted), [7..] hash(8) bucket(hex)
  local cur = runNo(ARGV[6], false) or -1
  local out = {}
  for i = 7, #ARGV do
    local a = ARGV[i]
    local h = string.sub(a, 1, 8)
    local v = call('HGET', P .. ':l:' .. string.sub(a, 9), h)
    if v then
      local l, e, p, f, last = string.match(v, '^(%d)|(%d+)|([^|]*)|(%d+)|(%d+)$')
      e = tonumber(e)
      if tonumber(last) == cur and e > 0 then e = e - 1 end
      out[#out + 1] = '1' .. l .. be16(e) .. str16(p) .. str16(call('HGET', P .. ':rk', f) or '')
    else
      out[#out + 1] = '0'
    end
  end
  return table.concat(out)
end

if CMD == 'ledger_note' then
  -- [5] exact bucket bits, [6] run key, [7..] notes: hash(8) bucket(hex) label(1 digit) emitted(1 digit) p_ai(rest,
  -- '' = null). A run's notes are idempotent: an entry counts one emission per run, so a retried or re-applied note
  -- is a no-op
  local xh = math.ceil(tonumber(ARGV[5]) / 4)
  local rn = runNo(ARGV[6], true)
  for i = 7, #ARGV do
    local a = ARGV[i]
    local h, lab, em, pai = string.sub(a, 1, 8), string.sub(a, 9 + xh, 9 + xh), string.sub(a, 10 + xh, 10 + xh) == '1', string.sub(a, 11 + xh)
    local lk = P .. ':l:' .. string.sub(a, 9, 8 + xh)
    local v = call('HGET', lk, h)
    if not v then
      call('HSET', lk, h, lab .. '|' .. (em and 1 or 0) .. '|' .. pai .. '|' .. rn .. '|' .. (em and rn or 0))
    else
      local l, e, p, f, last = string.match(v, '^(%d)|(%d+)|([^|]*)|(%d+)|(%d+)$')
      local nl, ne, nlast = l, tonumber(e), tonumber(last)
      if l == '0' and lab ~= '0' then nl = lab end
      if em and nlast ~= rn then
        if ne < 65535 then ne = ne + 1 end
        nlast = rn
      end
      if nl ~= l or nlast ~= tonumber(last) then call('HSET', lk, h, nl .. '|' .. ne .. '|' .. p .. '|' .. f .. '|' .. nlast) end
    end
  end
  return done('ok')
end

-- ---------------------------------------------------------------------------------------------------------------
-- partitions: registry {p}:g:<ph>, run history {p}:r:<ph>, tail statistics {p}:t:<ph>, pending run {p}:p:<ph>,
-- lock {p}:k:<ph>, records indexed since the last commit {p}:o:<ph>, names {p}:pn

if CMD == 'pending_set' then
  call('SET', P .. ':p:' .. ARGV[5], ARGV[6])
  call('HSET', P .. ':pn', ARGV[5], ARGV[7])
  return done('ok')
end

if CMD == 'read' then
  -- [5] ph, [6] what
  local ph, what = ARGV[5], ARGV[6]
  if what == 'pending' then return call('GET', P .. ':p:' .. ph) or '' end
  if what == 'registry' then return call('HGETALL', P .. ':g:' .. ph) end
  if what == 'runs' then return call('LRANGE', P .. ':r:' .. ph, 0, -1) end
  if what == 'generation' then return tostring(call('LLEN', P .. ':r:' .. ph)) end
  if what == 'tail' then return call('GET', P .. ':t:' .. ph) or '' end
  return redis.error_reply('SF_BAD_READ ' .. what)
end

if CMD == 'commit' then
  -- [5] ph, [6] tail blob ('' = unchanged), [7] number n of run summaries, [8 .. 7+n] run summary JSON,
  -- then registry (rel, entry JSON) pairs
  local ph, n = ARGV[5], tonumber(ARGV[7])
  for i = 8, 7 + n do call('RPUSH', P .. ':r:' .. ph, ARGV[i]) end
  if #ARGV[6] > 0 then call('SET', P .. ':t:' .. ph, ARGV[6]) end
  for i = 8 + n, #ARGV - 1, 2 do call('HSET', P .. ':g:' .. ph, ARGV[i], ARGV[i + 1]) end
  call('DEL', P .. ':p:' .. ph, P .. ':o:' .. ph)
  return done('ok')
end

if CMD == 'lock' then
  -- [5] ph, [6] holder JSON, [7] ttl ms, [8] holder to take over from ('' = none): 'ok' or the current holder
  local k = P .. ':k:' .. ARGV[5]
  local cur = call('GET', k)
  if not cur or (#ARGV[8] > 0 and cur == ARGV[8]) or cur == ARGV[6] then
    call('SET', k, ARGV[6], 'PX', ARGV[7])
    return 'ok'
  end
  return cur
end

if CMD == 'unlock' then
  local k = P .. ':k:' .. ARGV[5]
  if call('GET', k) == ARGV[6] then call('DEL', k) end
  return 'ok'
end

if CMD == 'end_session' then
  call('DEL', ackKey)
  return 'ok'
end

return redis.error_reply('SF_BAD_COMMAND ' .. tostring(CMD))
`;
