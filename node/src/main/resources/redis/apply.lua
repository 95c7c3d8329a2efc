--! flags=
-- The Java side of this function's contract (backend/redis): ApplyCall (arguments), ApplyReply (reply).
-- One op, atomically: check, apply, next seq, append to the history, publish (or, when ARGV[4] asks to
-- defer, leave the publication to release.lua after WAIT).
-- ARGV[5] the epoch to create the paper with ('' not to create it: {'err', 'gone', ''}; a tombstone: {'err', 'gone', 'deleted'}), ARGV[6] max notes, ARGV[7] max note bytes, ARGV[8] history
-- size, ARGV[9] kind, ARGV[10] note id, ARGV[11] by (JSON), ARGV[12] cid (JSON or null), ARGV[13] '1' when
-- the sender may change only its own notes, ARGV[14] the op as sent (patch, delete), ARGV[15] max fields per
-- note ('author' not counted), ARGV[16..] the note's or the patch's fields as serialized name, value pairs
-- (a patch value of null removes the field).
-- Replies {'ok', seq, epoch} or {'err', code}. Checks follow the protocol's precedence of error codes, and all
-- come before the first write (flags: none, so Redis refuses the whole function while over maxmemory).
local FIRST_FIELD = 16
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'status', 'pub')
local epoch = state[1]
local creating = not epoch
if creating then
  if redis.call('EXISTS', KEYS[5]) == 1 then
    return { 'err', 'gone', 'deleted' }
  end
  if ARGV[5] == '' then
    return { 'err', 'gone', '' }
  end
  -- Created only once every check has passed; until then the paper is empty (whatever a lost history left
  -- behind belongs to no epoch).
  epoch = ARGV[5]
  state = { epoch, '0', 'open', '0' }
end
local max_notes, max_bytes, max_fields = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[15])
local kind, note_id, by_json, cid_json = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local note_key = NOTE_PREFIX .. note_id
local AUTHOR = '"author"'
local existing_size = not creating and redis.call('HGET', KEYS[2], note_id)
local author_json = existing_size and redis.call('HGET', note_key, AUTHOR)

if existing_size and ARGV[13] == '1' and author_json ~= by_json then
  return { 'err', 'forbidden' }
end
if state[3] == 'completed' then
  return { 'err', 'paper_completed' }
end

local op_json, size
if kind == 'note.put' then
  author_json = author_json or by_json
  size = 1 + #AUTHOR + #author_json + 2
  for i = FIRST_FIELD, #ARGV, 2 do
    size = size + #ARGV[i] + #ARGV[i + 1] + 2
  end
  if size > max_bytes or (#ARGV - FIRST_FIELD + 1) / 2 > max_fields then
    return { 'err', 'too_large' }
  end
  if not existing_size and not creating and redis.call('HLEN', KEYS[2]) >= max_notes then
    return { 'err', 'paper_full' }
  end
elseif kind == 'note.patch' then
  if not existing_size then
    return { 'err', 'not_found' }
  end
  size = tonumber(existing_size)
  local fields = redis.call('HLEN', note_key) - 1
  local names = {}
  for i = FIRST_FIELD, #ARGV, 2 do
    names[#names + 1] = ARGV[i]
  end
  local olds = hmget_chunked(note_key, names)
  for i = FIRST_FIELD, #ARGV, 2 do
    local old = olds[(i - FIRST_FIELD) / 2 + 1]
    if old then
      size = size - (#ARGV[i] + #old + 2)
      fields = fields - 1
    end
    if ARGV[i + 1] ~= 'null' then
      size = size + #ARGV[i] + #ARGV[i + 1] + 2
      fields = fields + 1
    end
  end
  if size > max_bytes or fields > max_fields then
    return { 'err', 'too_large' }
  end
elseif not existing_size then
  return { 'err', 'not_found' }
end

-- Checked: from here on, only writes.
if creating then
  create_paper(epoch)
end
if kind == 'note.put' then
  if existing_size then
    redis.call('DEL', note_key)
  end
  local parts, fields = {}, {}
  for i = FIRST_FIELD, #ARGV, 2 do
    parts[#parts + 1] = ARGV[i] .. ':' .. ARGV[i + 1]
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i + 1]
  end
  parts[#parts + 1] = AUTHOR .. ':' .. author_json
  fields[#fields + 1] = AUTHOR
  fields[#fields + 1] = author_json
  hset_chunked(note_key, fields)
  redis.call('HSET', KEYS[2], note_id, size)
  op_json = '{"kind":"note.put","note":{' .. table.concat(parts, ',') .. '}}'
elseif kind == 'note.patch' then
  for i = FIRST_FIELD, #ARGV, 2 do
    if ARGV[i + 1] == 'null' then
      redis.call('HDEL', note_key, ARGV[i])
    else
      redis.call('HSET', note_key, ARGV[i], ARGV[i + 1])
    end
  end
  redis.call('HSET', KEYS[2], note_id, size)
  op_json = ARGV[14]
else
  redis.call('DEL', note_key)
  redis.call('HDEL', KEYS[2], note_id)
  op_json = ARGV[14]
end

-- The paper's head in one write: seq (contiguous: this function is the only one that advances it), the time
-- of the op, and the published mark (right after the publication, or, held back, kept at the last published).
local seq = tonumber(state[2]) + 1
local delta = '{"type":"delta","paper":' .. PAPER_JSON .. ',"seq":' .. fmt(seq) .. ',"by":' .. by_json .. ',"cid":'
  .. cid_json .. ',"op":' .. op_json .. '}'
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], fmt(seq) .. '-0', 'd', delta)
local pub = fmt(seq)
if DEFER then
  pub = state[4] or fmt(seq - 1)
else
  -- The wire format of channel messages is ChannelMessage (node/src/main/java/io/rollingpaper/node/backend/ChannelMessage.java)'s: change both together.
  redis.call(PUBLISH, CHANNEL, 'D ' .. epoch .. ' ' .. pub .. ' ' .. delta)
end
redis.call('HSET', KEYS[1], 'seq', fmt(seq), 'at', now_ms(), 'pub', pub)
return { 'ok', seq, epoch }
