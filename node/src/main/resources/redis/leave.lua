--! flags=allow-oom
-- The Java side of this function's contract (backend/redis): PresenceCalls.leave.
-- allow-oom: a leave must be recorded while Redis is full (it rewrites or removes one small presence entry).
-- This node's last session of user ARGV[5] left; node ARGV[6]. Publishes the leave when no node still has the user.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local user = ARGV[5]
local raw = redis.call('HGET', KEYS[4], user)
if not raw then
  return 0
end
local entry = cjson.decode(raw)
entry.s[ARGV[6]] = nil
if presence_live(entry, now_ms()) then
  presence_store(user, entry)
  return 0
end
redis.call('HDEL', KEYS[4], user)
presence_publish('[]', '[' .. cjson.encode(user) .. ']')
return 1
