--! flags=
-- The Java side of this function's contract (backend/redis): ReplicaConfirmation.confirm (arguments), HeadReply (reply).
-- A write that comes after everything the paper holds, so that WAIT on the same connection confirms all of it
-- (the deltas a read saw but nobody has confirmed yet). Replies {'head', epoch, seq} or {'missing'}.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not state[1] then
  return { 'missing' }
end
redis.call('HINCRBY', KEYS[1], 'ck', 1)
return { 'head', state[1], tonumber(state[2]) }
