--! flags=
-- The Java side of this function's contract (backend/redis): LifecycleCalls.restore.
-- Bring an open paper moved to the archive back: epoch ARGV[5], seq ARGV[6], then its notes, each as
-- id, serialized size, the number n of name/value items, then the n items. No history (a resume from before
-- the move gets a snapshot). Replies 1, or 0 when the paper has live data or a tombstone.
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[5]) == 1 then
  return 0
end
create_paper(ARGV[5])
redis.call('HSET', KEYS[1], 'seq', ARGV[6], 'pub', ARGV[6])
local i = 7
while i <= #ARGV do
  local id, size, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local items = {}
  for j = i + 3, i + 2 + n do
    items[#items + 1] = ARGV[j]
  end
  hset_chunked(NOTE_PREFIX .. id, items)
  redis.call('HSET', KEYS[2], id, size)
  i = i + 3 + n
end
return 1
