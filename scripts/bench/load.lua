-- wrk script of scripts/bench.sh (driven by tests/OrleansLicensing.Benchmarks, mode "auth").
-- Run with one connection per thread (-t N -c N): each thread then has one request in flight, so
-- it knows which license a response belongs to and can count successful heartbeats per license
-- (the exact credit check needs them: every N-th heartbeat of a license is billed).
--
-- Environment:
--   BENCH_MODE   health | validate | heartbeat | license | once (validate each line once, then stop)
--   BENCH_DATA   tab-separated lines: appId, appSecret, licenseKey, hwid, sessionToken
--   BENCH_RATE   total requests/s to pace at (0 = as fast as the server answers)
--   BENCH_RUN    a number unique to this run (nonces stay unique across runs)
--   BENCH_OUT    file for the per-license success counts (index count per line)
--   BENCH_TOKEN  bearer token for mode "license"
--   BENCH_SECONDS  how long each thread sends; then it stops after its response has arrived, so no
--                request is left in flight (the credit check counts every answered request)
--   BENCH_DONE   directory where each stopped thread leaves a marker; the driver interrupts wrk
--                once all are there (wrk itself would sleep its whole -d)

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local mode = os.getenv("BENCH_MODE") or "health"
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local run = tonumber(os.getenv("BENCH_RUN") or "0")
local seconds = tonumber(os.getenv("BENCH_SECONDS") or "10")
local done_dir = os.getenv("BENCH_DONE") or ""

-- Main-thread side: hand each thread its number and collect their counts at the end.
local threads = {}
local thread_count = 0
function setup(thread)
    thread:set("tid", thread_count)
    thread_count = thread_count + 1
    table.insert(threads, thread)
end

-- Per-thread state (each thread runs its own copy of this script).
local lines = {}
local position = 0
local issued = 0
local current = 0
local interval_ms = 0
local next_at = 0
local deadline = 0
local stopped = false
started_at = 0
finished_at = 0
ok = 0
failed = 0
codes = {}
per_line = {}

local function load_lines(tid, threads_total)
    local file = os.getenv("BENCH_DATA")
    if not file or file == "" then return end
    local n = 0
    for line in io.lines(file) do
        -- "once" gives each thread its own slice; the other modes let every thread use every line.
        if mode ~= "once" or n % threads_total == tid then
            local app, secret, key, hwid, token = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?([^\t]*)$")
            table.insert(lines, { index = n, app = app, secret = secret, key = key, hwid = hwid, token = token })
        end
        n = n + 1
    end
end

function init(args)
    local threads_total = tonumber(args[1] or "1")
    load_lines(tid, threads_total)
    if rate > 0 then
        interval_ms = 1000 / (rate / threads_total)
        next_at = now_ms() + (tid % 97) * interval_ms / 97 -- spread the threads' phases
    end
    position = tid % math.max(#lines, 1)
    deadline = now_ms() + seconds * 1000
end

-- Stops this thread (its one connection has nothing in flight) and tells the driver.
local function stop()
    if stopped then return end
    stopped = true
    finished_at = now_ms()
    wrk.thread:stop()
    if done_dir ~= "" then
        local marker = io.open(done_dir .. "/" .. tid, "w")
        if marker then marker:close() end
    end
end

function delay()
    if interval_ms == 0 then return 0 end
    local now = now_ms()
    next_at = next_at + interval_ms
    if next_at < now - 1000 then next_at = now end -- fell behind by a second: do not burst to catch up
    local wait = next_at - now
    if wait < 0 then return 0 end
    return wait
end

local json_headers = { ["Content-Type"] = "application/json" }

local function nonce()
    issued = issued + 1
    return string.format("%08x%04x%020x", run % 4294967296, tid, issued)
end

local function next_line()
    position = position + 1
    if position > #lines then position = 1 end
    return lines[position]
end

function request()
    if started_at == 0 then started_at = now_ms() end
    if mode == "health" then
        current = 0
        return wrk.format("GET", "/health/live")
    end
    local line
    if mode == "once" then
        position = position + 1
        line = lines[position]
        if not line then
            stop()
            current = -1
            return wrk.format("GET", "/health/live")
        end
    else
        line = next_line()
    end
    current = line.index
    if mode == "heartbeat" then
        return wrk.format("POST", "/auth/heartbeat", json_headers,
            '{"appId":"' .. line.app .. '","sessionToken":"' .. line.token .. '","nonce":"' .. nonce() .. '","hwid":"' .. line.hwid .. '"}')
    elseif mode == "license" then
        return wrk.format("GET", "/v1/licenses/" .. line.key, { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") })
    end
    return wrk.format("POST", "/auth/validate", json_headers,
        '{"appId":"' .. line.app .. '","appSecret":"' .. line.secret .. '","licenseKey":"' .. line.key ..
        '","hwid":"' .. line.hwid .. '","nonce":"' .. nonce() .. '"}')
end

function response(status, headers, body)
    if current < 0 then return end -- the filler request after a "once" thread ran out
    if now_ms() >= deadline or (mode == "once" and position >= #lines) then stop() end
    local success
    if mode == "validate" or mode == "heartbeat" or mode == "once" then
        success = status == 200 and body:find('"status":"success"', 1, true) ~= nil
    else
        success = status == 200
    end
    if success then
        ok = ok + 1
        per_line[current] = (per_line[current] or 0) + 1
    else
        failed = failed + 1
        local code = body:match('"error":"([^"]*)"') or ("http_" .. status)
        codes[code] = (codes[code] or 0) + 1
    end
end

function done(summary, latency, requests)
    local total_ok, total_failed, all_codes = 0, 0, {}
    local first, last = nil, 0
    local out = os.getenv("BENCH_OUT")
    local file = out and out ~= "" and io.open(out, "w") or nil
    for _, thread in ipairs(threads) do
        total_ok = total_ok + (thread:get("ok") or 0)
        total_failed = total_failed + (thread:get("failed") or 0)
        local s, f = thread:get("started_at") or 0, thread:get("finished_at") or 0
        if s > 0 and (first == nil or s < first) then first = s end
        if f > last then last = f end
        for code, count in pairs(thread:get("codes") or {}) do
            all_codes[code] = (all_codes[code] or 0) + count
        end
        if file then
            for index, count in pairs(thread:get("per_line") or {}) do
                file:write(index, " ", count, "\n")
            end
        end
    end
    if file then file:close() end
    local e = summary.errors
    local socket_errors = e.connect + e.read + e.write + e.timeout
    local code_list = {}
    for code, count in pairs(all_codes) do table.insert(code_list, code .. "=" .. count) end
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f ok=%d failed=%d socket_errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d codes=%s\n",
        summary.requests, (first and last > first) and (last - first) / 1000 or summary.duration / 1e6, total_ok, total_failed, socket_errors,
        latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
        table.concat(code_list, ",")))
end
