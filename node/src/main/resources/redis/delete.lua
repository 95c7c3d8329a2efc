#!lua flags=allow-oom
-- allow-oom: deleting frees memory, and must work while Redis is full.
-- Remove a paper's live data and publish its deletion. Replies 1, or 0 when it had none.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  return 0
end
local ids = redis.call('HKEYS', KEYS[2])
for i = 1, #ids do
  redis.call('DEL', NOTE_PREFIX .. ids[i])
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call(PUBLISH, CHANNEL, 'X ' .. epoch)
return 1
