--! flags=
-- The Java side of this function's contract (backend/redis): TickCall (keys, arguments and reply).
-- The periodic round of node ARGV[1] over many papers in one call (a node's whole round, in chunks; on Redis
-- Cluster the papers of one hash slot), so a round costs Redis one function call per chunk, not per paper.
-- Unlike the other functions its keys and arguments are laid out per paper, not as prelude.lua's shared ones:
--   KEYS[2i-1], KEYS[2i] the meta and presence hashes of the call's i-th paper (RedisKeys.scriptKeys' 1st, 4th)
--   ARGV[1] this node, ARGV[2] presence ttl (ms), ARGV[3] the publish command (PUBLISH or SPUBLISH), then per
--   paper: its id as a JSON string, its channel, the number n of users present through this node, and their
--   n (user, name) pairs.
-- For each paper, begin() is called with that paper's keys and arguments in the shared places, then: refresh
-- its users' presence (ttl ARGV[2]), drop the entries of nodes that stopped refreshing (publishing who left),
-- and reply the paper's head {'head', epoch, seq, status}, or {'missing'}: one reply per paper, in order.
local keys, args = KEYS, ARGV
local node, ttl, publish = args[1], tonumber(args[2]), args[3]
local now = now_ms()
local out = {}
local a = 4
for p = 1, #keys / 2 do
  local users = tonumber(args[a + 2])
  local first, last = a + 3, a + 2 + 2 * users
  begin({ keys[2 * p - 1], false, false, keys[2 * p] }, { args[a], args[a + 1], false, publish })
  a = last + 1
  local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status')
  if not state[1] then
    out[p] = { 'missing' }
  else
    local joined = {}
    for i = first, last, 2 do
      joined[#joined + 1] = presence_mark(args[i], args[i + 1], node, ttl, now)
    end
    presence_publish_joined(joined)
    local all = redis.call('HGETALL', KEYS[4])
    local left = {}
    for i = 1, #all, 2 do
      local entry = cjson.decode(all[i + 1])
      local changed = false
      for other, expiry in pairs(entry.s) do
        if expiry <= now then
          entry.s[other] = nil
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
    out[p] = { 'head', state[1], tonumber(state[2]), state[3] }
  end
end
return out
