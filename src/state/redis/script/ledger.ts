/**
 * The provenance ledger commands of the Lua script: `ledger_get` (entries of exact hashes, the current run's own
 * notes not counted) and `ledger_note` (idempotent per run: at most one emission per run).
 */
export const LEDGER = String.raw`
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
`;
