-- wrk script of bench/webhooks.py: POSTs pre-signed webhook bodies, each once, at a fixed total rate.
--   wrk -t T -c C -d D -s bench/webhooks.lua http://host:port -- BODIES_FILE T RATE
-- BODIES_FILE: one "signature<TAB>body" per line. Thread k (of T) posts lines k, k+T, k+2T... in order; RATE
-- (notifications/s over all threads, 0 = as fast as the server answers) is kept by delay(): each request takes
-- the next slot of its thread's schedule (wall clock through LuaJIT's ffi), so a slow answer does not slow the
-- others down while free connections remain (C well above RATE x latency).
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads, count = {}, 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local path, total, rate = args[1], tonumber(args[2]), tonumber(args[3])
  requests_ = {}
  local line_no = 0
  for line in io.lines(path) do
    if line_no % total == id then
      local signature, body = line:match("^([^\t]+)\t(.*)$")
      table.insert(requests_, wrk.format("POST", "/api/webhooks/whatsapp",
        {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signature}, body))
    end
    line_no = line_no + 1
  end
  -- wrk calls thread 0's request() once before the run, to check the request parses, and never sends it: a copy
  -- of its first request is put in front for that call, and not counted as posted.
  built = 0
  if id == 0 then
    table.insert(requests_, 1, requests_[1])
    built = -1
  end
  interval = rate > 0 and total * 1000.0 / rate or 0
  due = nil
end

function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if due == nil then due = now end
  due = due + interval
  local wait = due - interval - now
  return wait > 0 and wait or 0
end

function request()
  built = built + 1
  local offset = id == 0 and 1 or 0
  if built + offset > #requests_ then
    wrk.thread:stop()  -- every body of this thread posted: no duplicates
    built = #requests_ - offset
  end
  return requests_[built + offset]
end

function done(summary, latency, requests)
  local sent, each = 0, {}
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("built")
    table.insert(each, tostring(thread:get("built")))
  end
  io.write(string.format("RESULT built_each=%s requests=%d duration_us=%d built=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "errors_status=%d errors_timeout=%d errors_connect=%d errors_read=%d errors_write=%d\n",
    table.concat(each, ","), summary.requests, summary.duration, sent, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.status, summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write))
end
