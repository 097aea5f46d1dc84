-- wrk script for bench/meetings.py: POSTs, each request its own member.
--   BENCH_LINES_FILE   one request per line: kind TAB auth TAB path TAB body
--                      kind "cookie": auth is the Cookie header (session + CSRF cookie),
--                                     body is an HTML form (application/x-www-form-urlencoded)
--                      kind "bearer": auth is an API token, body is JSON
--   BENCH_WRK_THREADS  wrk's -t: thread k sends lines k, k+n, k+2n, ... so no two threads
--                      send the same member's request; a thread past its last line starts
--                      again at its first ("repeats" counts the requests sent after that:
--                      they repeat a check-in or a vote).
-- done() prints one line "BENCHJSON {...}": counts ("calls" = requests sent, so calls -
-- requests = those still in flight when wrk stopped: the server handles them, wrk never
-- reads their answers), latency percentiles (µs), answers by
-- status, and for the HTML forms (which answer 302 whatever happened) how many answers
-- carried each distinct `messages` cookie: bench/meetings.py decodes those with the
-- server's key to tell an accepted check-in or vote from a refusal.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
  local me = (tid or 1) - 1
  lines = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_LINES_FILE")) do
    if line ~= "" then
      if i % n == me then
        local kind, auth, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
        local headers = {}
        if kind == "cookie" then
          headers["Cookie"] = auth
          headers["Content-Type"] = "application/x-www-form-urlencoded"
        else
          headers["Authorization"] = "Bearer " .. auth
          headers["Content-Type"] = "application/json"
        end
        table.insert(lines, {path = path, headers = headers, body = body})
      end
      i = i + 1
    end
  end
  nlines = #lines
  idx = 0
  repeats = 0
  calls = 0
  repeating = false
  statuses = {}
  messages = {}
end

function request()
  calls = calls + 1
  idx = idx + 1
  if idx > #lines then
    idx = 1
    repeating = true
  end
  if repeating then repeats = repeats + 1 end
  local l = lines[idx]
  local headers = {}
  for k, v in pairs(l.headers) do headers[k] = v end
  return wrk.format("POST", l.path, headers, l.body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  for name, value in pairs(headers) do
    if string.lower(name) == "set-cookie" then
      local m = string.match(value, "^messages=([^;]*)")
      if m then messages[m] = (messages[m] or 0) + 1 end
    end
  end
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, json_string(k) .. ": " .. v) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local all_status, all_messages, all_repeats, all_calls, per_thread = {}, {}, 0, 0, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do all_status[k] = (all_status[k] or 0) + v end
    for k, v in pairs(t:get("messages") or {}) do all_messages[k] = (all_messages[k] or 0) + v end
    all_repeats = all_repeats + (t:get("repeats") or 0)
    all_calls = all_calls + (t:get("calls") or 0)
    table.insert(per_thread, string.format('{"lines": %d, "calls": %d}', t:get("nlines") or 0,
                                           t:get("calls") or 0))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "calls": %d, "repeats": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}, ' ..
    '"statuses": %s, "messages": %s, "threads": [%s]}\n',
    summary.requests, summary.duration, summary.bytes, all_calls, all_repeats,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99),
    json_counts(all_status), json_counts(all_messages), table.concat(per_thread, ", ")))
end
