/**
 * The per-partition commands of the Lua script: the pending run (`pending_set`), reads (`read`), the run's atomic
 * `commit` (history, tail statistics, registry; clears the pending run and makes its index entries permanent), the
 * lock (`lock`, `unlock`) and `end_session`.
 */
export const PARTITION = String.raw`
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
`;
