-- The head of the rollingpaper Redis Functions library (LuaLibrary puts it first, then registers each script
-- file as one function). A function makes every check before its first write: Redis does not roll a function
-- back, so a refusal (or an error) after a write leaves it half done.
-- Every function but tick.lua (many papers per call; it calls begin() per paper) gets the same first keys and
-- arguments (RedisKeys.scriptKeys and ScriptCall build them):
--   KEYS[1] meta hash (epoch, seq, status, pv)   KEYS[2] notes index (note id -> serialized size)
--   KEYS[3] history stream (ids are seq-0)      KEYS[4] presence hash (user -> {n=name, s={node=expiry ms}})
--   KEYS[5] tombstone (the deleted paper's last epoch; while it exists nothing but create.lua brings the paper back)
--   KEYS[6] idle lease (the node moving the idle paper out)
--   KEYS[1]'s field 'at' is the time (ms) of the paper's last op, or of its creation or return.
--   ARGV[1] the paper id as a JSON string       ARGV[2] the paper's channel
--   ARGV[3] the prefix of note keys (hash: serialized field name -> serialized value)
--   ARGV[4] the publish command (PUBLISH, or SPUBLISH on Redis Cluster); written '-PUBLISH' (or '-SPUBLISH')
--           it asks apply.lua to hold its delta back: the node publishes it with release.lua once WAIT has
--           confirmed that replicas have it. KEYS[1]'s field 'pub' is the last seq whose delta was published.
-- Notes are never decoded here: values stay exactly as the client sent them.
-- The library is loaded once and its functions are called by name; the locals below are set by begin() at the
-- start of every call (Redis runs one function at a time, so no call sees another's).
local KEYS, ARGV, PAPER_JSON, CHANNEL, NOTE_PREFIX, PUBLISH, DEFER

local function begin(keys, args)
  KEYS, ARGV = keys, args
  PAPER_JSON, CHANNEL, NOTE_PREFIX, PUBLISH = args[1], args[2], args[3], args[4]
  DEFER = string.byte(PUBLISH, 1) == 45 -- '-'
  if DEFER then
    PUBLISH = string.sub(PUBLISH, 2)
  end
end

local function fmt(n)
  return string.format('%.0f', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Pairs per HSET: a note's fields are written in chunks, because unpack() of thousands of values overflows
-- Lua's stack and fails the script half way.
local CHUNK_PAIRS = 64

-- HSET key with alternating name/value items of list, in chunks.
local function hset_chunked(key, list)
  for first = 1, #list, CHUNK_PAIRS * 2 do
    local last = math.min(first + CHUNK_PAIRS * 2 - 1, #list)
    redis.call('HSET', key, unpack(list, first, last))
  end
end

-- HMGET key names, in chunks (as hset_chunked); the values in the order of names, false where missing.
local function hmget_chunked(key, names)
  local out = {}
  for first = 1, #names, CHUNK_PAIRS * 2 do
    local values = redis.call('HMGET', key, unpack(names, first, math.min(first + CHUNK_PAIRS * 2 - 1, #names)))
    for i = 1, #values do
      out[#out + 1] = values[i]
    end
  end
  return out
end

local function create_paper(epoch)
  -- Whatever a lost history left behind belongs to no epoch any more.
  local ids = redis.call('HKEYS', KEYS[2])
  for i = 1, #ids do
    redis.call('DEL', NOTE_PREFIX .. ids[i])
  end
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0, 'pub', 0, 'status', 'open', 'pv', 0, 'at', now_ms())
end

-- Whether any user is present through a node that still refreshes.
local function anyone_present(now)
  local all = redis.call('HVALS', KEYS[4])
  for i = 1, #all do
    for _, expiry in pairs(cjson.decode(all[i]).s) do
      if expiry > now then
        return true
      end
    end
  end
  return false
end

-- The last seq whose delta was published; the deltas after it wait for a replica's confirmation.
local function published(seq)
  local pub = redis.call('HGET', KEYS[1], 'pub')
  if not pub then
    return seq
  end
  return math.min(tonumber(pub), seq)
end

local function note_json(id)
  local fields = redis.call('HGETALL', NOTE_PREFIX .. id)
  local parts = {}
  for i = 1, #fields, 2 do
    parts[#parts + 1] = fields[i] .. ':' .. fields[i + 1]
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

local function presence_live(entry, now)
  for _, expiry in pairs(entry.s) do
    if expiry > now then
      return true
    end
  end
  return false
end

local function presence_store(user, entry)
  redis.call('HSET', KEYS[4], user, cjson.encode(entry))
  -- A completed paper's data expires; presence written after completion must expire with it.
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[4], ttl)
  end
end

-- The wire format of channel messages is ChannelMessage (node/src/main/java/io/rollingpaper/node/backend/ChannelMessage.java)'s: change both together.
local function presence_publish(joined_json, left_json)
  local pv = redis.call('HINCRBY', KEYS[1], 'pv', 1)
  redis.call(PUBLISH, CHANNEL, 'P ' .. pv .. ' {"type":"presence","paper":' .. PAPER_JSON .. ',"joined":'
    .. joined_json .. ',"left":' .. left_json .. '}')
end

-- Marks the user present through this node. Returns the user's {user,name} entry when the user was not
-- present before, nil otherwise: the caller publishes all its joins as one presence change
-- (presence_publish_joined), so a batch of joins costs its sessions one presence frame, not one each.
local function presence_mark(user, name, node, ttl, now)
  local raw = redis.call('HGET', KEYS[4], user)
  local entry
  if raw then
    entry = cjson.decode(raw)
  else
    entry = { n = name, s = {} }
  end
  local was_live = raw and presence_live(entry, now)
  entry.n = name
  entry.s[node] = now + ttl
  presence_store(user, entry)
  if not was_live then
    return '{"user":' .. cjson.encode(user) .. ',"name":' .. cjson.encode(name) .. '}'
  end
  return nil
end

local function presence_publish_joined(joined)
  if #joined > 0 then
    presence_publish('[' .. table.concat(joined, ',') .. ']', '[]')
  end
end

local function presence_list(now)
  local all = redis.call('HGETALL', KEYS[4])
  local out = {}
  for i = 1, #all, 2 do
    local entry = cjson.decode(all[i + 1])
    if presence_live(entry, now) then
      out[#out + 1] = '{"user":' .. cjson.encode(all[i]) .. ',"name":' .. cjson.encode(entry.n) .. '}'
    end
  end
  return '[' .. table.concat(out, ',') .. ']'
end

local function snapshot_reply(epoch, seq, status, pv, presence)
  local out = { 'snapshot', epoch, seq, status, pv, presence, published(seq) }
  local ids = redis.call('HKEYS', KEYS[2])
  for i = 1, #ids do
    out[#out + 1] = note_json(ids[i])
  end
  return out
end
