--! flags=
-- The Java side of this function's contract (backend/redis): PresenceCalls.tick (arguments), HeadReply (reply).
-- The periodic round of node ARGV[5] over one paper: refresh its users' presence (ttl ARGV[6] ms; user and
-- name pairs from ARGV[7]), drop the entries of nodes that stopped refreshing (publishing who left), and
-- reply the paper's head {'head', epoch, seq, status}, or {'missing'}.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status')
if not state[1] then
  return { 'missing' }
end
local now = now_ms()
local ttl = tonumber(ARGV[6])
local joined = {}
for i = 7, #ARGV, 2 do
  joined[#joined + 1] = presence_mark(ARGV[i], ARGV[i + 1], ARGV[5], ttl, now)
end
presence_publish_joined(joined)
local all = redis.call('HGETALL', KEYS[4])
local left = {}
for i = 1, #all, 2 do
  local entry = cjson.decode(all[i + 1])
  local changed = false
  for node, expiry in pairs(entry.s) do
    if expiry <= now then
      entry.s[node] = nil
      changed = true
    end
  end
  if next(entry.s) == nil then
    redis.call('HDEL', KEYS[4], all[i])
    left[#left + 1] = cjson.encode(all[i])
  elseif changed then
    presence_store(all[i], entry)
  end
end
if #left > 0 then
  presence_publish('[]', '[' .. table.concat(left, ',') .. ']')
end
return { 'head', state[1], tonumber(state[2]), state[3] }
