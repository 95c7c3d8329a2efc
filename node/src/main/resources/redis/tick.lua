--! flags=
-- The Java side of this function's contract (backend/redis): TickCall (keys, arguments and reply).
-- The periodic round of node ARGV[1] over many papers in one call (a node's whole round, in chunks; on Redis
-- Cluster the papers of one hash slot), so a round costs Redis one function call per chunk, not per paper.
-- Unlike the other functions its keys and arguments are laid out per paper, not as prelude.lua's shared ones:
--   KEYS[2i-1], KEYS[2i] the meta and presence hashes of the call's i-th paper (RedisKeys.meta(), presence())
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
    -- One read of the paper's presence, one write of what changed: this node's users' marks and the entries
    -- that lost the marks of nodes that stopped refreshing.
    local all = redis.call('HGETALL', KEYS[4])
    local users, entries = {}, {}
    for i = 1, #all, 2 do
      users[#users + 1] = all[i]
      entries[all[i]] = cjson.decode(all[i + 1])
    end
    local marked, joined = {}, {}
    for i = first, last, 2 do
      local user, name = args[i], args[i + 1]
      local entry = entries[user]
      if not entry then
        entry = { n = name, s = {} }
        entries[user] = entry
        users[#users + 1] = user
      end
      if not presence_live(entry, now) then
        joined[#joined + 1] = '{"user":' .. cjson.encode(user) .. ',"name":' .. cjson.encode(name) .. '}'
      end
      entry.n = name
      entry.s[node] = now + ttl
      marked[user] = true
    end
    local writes, gone, left = {}, {}, {}
    for _, user in ipairs(users) do
      local entry = entries[user]
      local changed = marked[user]
      for other, expiry in pairs(entry.s) do
        if expiry <= now then
          entry.s[other] = nil
          changed = true
        end
      end
      if next(entry.s) == nil then
        gone[#gone + 1] = user
        left[#left + 1] = cjson.encode(user)
      elseif changed then
        writes[#writes + 1] = user
        writes[#writes + 1] = cjson.encode(entry)
      end
    end
    presence_publish_joined(joined)
    for from = 1, #gone, CHUNK_PAIRS * 2 do
      redis.call('HDEL', KEYS[4], unpack(gone, from, math.min(from + CHUNK_PAIRS * 2 - 1, #gone)))
    end
    if #writes > 0 then
      hset_chunked(KEYS[4], writes)
      local pttl = redis.call('PTTL', KEYS[1])
      if pttl > 0 then
        redis.call('PEXPIRE', KEYS[4], pttl)
      end
    end
    if #left > 0 then
      presence_publish('[]', '[' .. table.concat(left, ',') .. ']')
    end
    out[p] = { 'head', state[1], tonumber(state[2]), state[3] }
  end
end
return out
