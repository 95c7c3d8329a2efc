--! flags=allow-oom
-- The Java side of this function's contract (backend/redis): LifecycleCalls.evict.
-- allow-oom: moving an idle paper out frees memory, and must work while Redis is full.
-- Compare and delete: remove the live data of the idle paper node ARGV[5] has leased, if it is still open at
-- epoch ARGV[6] and seq ARGV[7] with nobody present (so no op or join came since it was archived). Publishes
-- nothing: for a client the paper did not change. Replies 1 when removed, else 0.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status')
if redis.call('GET', KEYS[6]) ~= ARGV[5] or state[1] ~= ARGV[6] or state[2] ~= ARGV[7] or state[3] ~= 'open'
    or anyone_present(now_ms()) then
  return 0
end
local ids = redis.call('HKEYS', KEYS[2])
for i = 1, #ids do
  redis.call('DEL', NOTE_PREFIX .. ids[i])
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6])
return 1
