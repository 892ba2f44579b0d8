/**
 * The dedup commands of the Lua script: `check` (a batch checked and indexed record by record), `settle` (swap a
 * cluster's chosen member in for its root), `join`, `remove`, and `rollback` (forget what an interrupted run
 * indexed). They use the index primitives of dedup-index.ts.
 */
export const DEDUP_COMMANDS = String.raw`
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
`;
