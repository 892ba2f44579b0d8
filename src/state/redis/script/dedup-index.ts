/**
 * The near-duplicate index inside the Lua script: its parameters (`dedupParams`), the layout of slots, document
 * numbers, ids and exact/band buckets, and the primitives the dedup commands build on: `probe` (earliest live
 * duplicate of a record), `insert` and `removeDoc`. Defines functions only; the commands are in dedup-commands.ts.
 */
export const DEDUP_INDEX = String.raw`
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
`;
