--! flags=
-- The Java side of this function's contract (backend/redis): LifecycleCalls.complete (arguments), PaperReply (reply).
-- Finalize: status completed, publish it, let the live data expire after ARGV[5] seconds.
-- Replies {'missing'} or the final snapshot (as read.lua). Completing twice changes nothing.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status', 'pv')
if not state[1] then
  return { 'missing' }
end
if state[3] ~= 'completed' then
  redis.call('HSET', KEYS[1], 'status', 'completed')
  -- The wire format of channel messages is ChannelMessage (node/src/main/java/io/rollingpaper/node/backend/ChannelMessage.java)'s: change both together.
  redis.call(PUBLISH, CHANNEL, 'C ' .. state[1] .. ' ' .. state[2] .. ' {"type":"completed","paper":' .. PAPER_JSON
    .. ',"seq":' .. state[2] .. '}')
  local ttl = ARGV[5]
  for i = 1, 4 do
    redis.call('EXPIRE', KEYS[i], ttl)
  end
  local ids = redis.call('HKEYS', KEYS[2])
  for i = 1, #ids do
    redis.call('EXPIRE', NOTE_PREFIX .. ids[i], ttl)
  end
end
return snapshot_reply(state[1], tonumber(state[2]), 'completed', tonumber(state[4] or '0'), presence_list(now_ms()))
