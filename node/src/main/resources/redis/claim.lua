--! flags=
-- The Java side of this function's contract (backend/redis): LifecycleCalls.claim (arguments), PaperReply (reply).
-- Lease an idle paper to node ARGV[5] for ARGV[7] ms, so that only it moves the paper out: the paper is open,
-- had no op for ARGV[6] ms, nobody is present, and no other node holds the lease. Replies its snapshot (as
-- read.lua) or {'busy'}.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status', 'at', 'pv')
if not state[1] or state[3] ~= 'open' then
  return { 'busy' }
end
local now = now_ms()
if now - tonumber(state[4] or '0') < tonumber(ARGV[6]) or anyone_present(now) then
  return { 'busy' }
end
local holder = redis.call('GET', KEYS[6])
if holder and holder ~= ARGV[5] then
  return { 'busy' }
end
redis.call('SET', KEYS[6], ARGV[5], 'PX', ARGV[7])
return snapshot_reply(state[1], tonumber(state[2]), 'open', tonumber(state[5] or '0'), '[]')
