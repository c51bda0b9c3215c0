-- Claim due members atomically.
-- KEYS[1] = schedule (zset: member -> due unix ms)
-- KEYS[2] = claims   (zset: member -> lease expiry unix ms)
-- ARGV[1] = now (unix ms), ARGV[2] = limit, ARGV[3] = lease expiry (unix ms)
-- Returns the members this call claimed: first claims whose lease expired
-- (their claimer died before acknowledging), then due members, which move
-- from the schedule to the claims with a fresh lease. A member is returned
-- to exactly one caller per lease, because the script runs atomically.
local now = ARGV[1]
local limit = tonumber(ARGV[2])
local lease = ARGV[3]
local out = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(expired) do
  redis.call('ZADD', KEYS[2], lease, m)
  out[#out + 1] = m
end
if #out < limit then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit - #out)
  for _, m in ipairs(due) do
    if redis.call('ZREM', KEYS[1], m) == 1 then
      redis.call('ZADD', KEYS[2], lease, m)
      out[#out + 1] = m
    end
  end
end
return out
