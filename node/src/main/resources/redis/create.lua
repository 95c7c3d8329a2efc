--! flags=
-- The Java side of this function's contract (backend/redis): LifecycleCalls.create (arguments), PaperReply (reply).
-- The backend's PUT: a new empty paper with epoch ARGV[5], also after a deletion (its tombstone is dropped).
-- Replies {'exists'} when the paper has live data, else its snapshot (as read.lua).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return { 'exists' }
end
redis.call('DEL', KEYS[5], KEYS[4], KEYS[6])
create_paper(ARGV[5])
return snapshot_reply(ARGV[5], 0, 'open', 0, '[]')
