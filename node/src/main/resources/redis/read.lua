--! flags=
-- The Java side of this function's contract (backend/redis): ReadCall (arguments), PaperReply (reply).
-- Flags: none (it may create the paper and marks presence), so Redis refuses it while over maxmemory; LuaLibrary
-- registers it a second time, as read_ro flagged no-writes, for reads that ask for no write (a snapshot for the
-- HTTP API).
-- A join or a repair. ARGV[5] '1' to create the paper when it has no live state, ARGV[6] the epoch to
-- create it with, ARGV[7] since ('' for none), ARGV[8] the epoch since belongs to, ARGV[9] a user to mark
-- present ('' for none), ARGV[10] the user's name, ARGV[11] this node, ARGV[12] presence ttl (ms), then
-- (user, name, node) triples of more users to mark present: their joins are published as one presence change.
-- A deleted paper (its tombstone) is never created. Replies {'missing', 'deleted' or ''}, {'resumed', epoch, seq, status, pv, presence, pub, delta...} with the deltas after
-- since in order, or {'snapshot', epoch, seq, status, pv, presence, pub, note...}; pub is the last published seq.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status')
local epoch = state[1]
if not epoch then
  if redis.call('EXISTS', KEYS[5]) == 1 then
    return { 'missing', 'deleted' }
  end
  if ARGV[5] ~= '1' then
    return { 'missing', '' }
  end
  epoch = ARGV[6]
  create_paper(epoch)
  state = { epoch, '0', 'open' }
end
local seq = tonumber(state[2])
local status = state[3]
local now = now_ms()
local joined = {}
if ARGV[9] ~= '' then
  joined[#joined + 1] = presence_mark(ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12]), now)
end
for i = 13, #ARGV, 3 do
  joined[#joined + 1] = presence_mark(ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[12]), now)
end
presence_publish_joined(joined)
local pv = tonumber(redis.call('HGET', KEYS[1], 'pv') or '0')
local presence = presence_list(now)
if ARGV[7] ~= '' and ARGV[8] == epoch then
  local since = tonumber(ARGV[7])
  if since == seq then
    return { 'resumed', epoch, seq, status, pv, presence, published(seq) }
  end
  if since < seq then
    local entries = redis.call('XRANGE', KEYS[3], fmt(since + 1), '+')
    if #entries > 0 and entries[1][1] == fmt(since + 1) .. '-0' then
      local out = { 'resumed', epoch, seq, status, pv, presence, published(seq) }
      for i = 1, #entries do
        out[#out + 1] = entries[i][2][2]
      end
      return out
    end
  end
end
return snapshot_reply(epoch, seq, status, pv, presence)
