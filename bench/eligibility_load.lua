-- wrk (Debian package "wrk") script: single eligibility checks at random points of the
-- Paris region, each connection pausing so that all of them together send about RATE
-- requests per second. wrk is written in C: its own overhead does not show in the tail.
--
--   CONNS=64 RATE=200 wrk -t2 -c64 -d15s --latency -s bench/eligibility_load.lua \
--       http://127.0.0.1:8000
math.randomseed(1)
local conns = tonumber(os.getenv("CONNS") or "64")
local rate = tonumber(os.getenv("RATE") or "200")

request = function()
  local lon = 2.0 + math.random() * 0.7
  local lat = 48.6 + math.random() * 0.5
  return wrk.format("GET", string.format(
    "/api/v1/eligibility?lon=%.6f&lat=%.6f&date=2026-06-01", lon, lat))
end

delay = function()
  -- milliseconds before this connection's next request, jittered around the mean
  return math.floor(conns * 1000 / rate * (0.5 + math.random()))
end
