--! flags=allow-oom
-- The Java side of this function's contract (backend/redis): ReplicaConfirmation.release.
-- allow-oom: the deltas it publishes are already written; holding them back while Redis is full would stall the paper.
-- Publish, in seq order, the held-back deltas of epoch ARGV[5] up to seq ARGV[6], and move the published
-- mark. Called only once WAIT confirmed that replicas hold the write that produced seq ARGV[6] (and so every
-- write before it). Replies the published mark, or -1 when the paper is gone or in another epoch.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'pub')
if state[1] ~= ARGV[5] then
  return -1
end
local seq = tonumber(state[2])
local pub = tonumber(state[3] or state[2])
local upto = math.min(tonumber(ARGV[6]), seq)
if upto <= pub then
  return pub
end
local entries = redis.call('XRANGE', KEYS[3], fmt(pub + 1), fmt(upto))
for i = 1, #entries do
  local id = entries[i][1]
  local s = string.sub(id, 1, string.find(id, '-', 1, true) - 1)
  -- The wire format of channel messages is ChannelMessage (node/src/main/java/io/rollingpaper/node/backend/ChannelMessage.java)'s: change both together.
  redis.call(PUBLISH, CHANNEL, 'D ' .. state[1] .. ' ' .. s .. ' ' .. entries[i][2][2])
end
redis.call('HSET', KEYS[1], 'pub', fmt(upto))
return upto
