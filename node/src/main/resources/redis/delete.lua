--! flags=allow-oom
-- The Java side of this function's contract (backend/redis): LifecycleCalls.delete.
-- allow-oom: deleting frees memory, and must work while Redis is full (the tombstone it writes is a few bytes).
-- Remove a paper's live data, publish its deletion and remember it: a tombstone for ARGV[5] ms that keeps
-- reads and ops from creating the paper again. ARGV[6] '1' writes the tombstone even without live data (the
-- paper lives in the archive only). Replies 1, or 0 when it had no live data.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch or ARGV[6] == '1' then
  redis.call('SET', KEYS[5], epoch or '', 'PX', ARGV[5])
end
if not epoch then
  return 0
end
local ids = redis.call('HKEYS', KEYS[2])
for i = 1, #ids do
  redis.call('DEL', NOTE_PREFIX .. ids[i])
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6])
-- The wire format of channel messages is ChannelMessage (node/src/main/java/io/rollingpaper/node/backend/ChannelMessage.java)'s: change both together.
redis.call(PUBLISH, CHANNEL, 'X ' .. epoch)
return 1
