-- wrk script for bench/run.py.
--   BENCH_PATHS_FILE  file with one request path per line, requested round-robin
--                     (each wrk thread starts at a different offset)
--   BENCH_COOKIE      Cookie header value (the persona's session), optional
--   BENCH_COOKIES_FILE  file with one Cookie header value per line: each request takes
--                     the next one (many members, each with their own session)
--   BENCH_HX          "1" adds "HX-Request: true" (htmx fragment requests)
-- done() prints one line "BENCHJSON {...}" with counts and latency percentiles (µs).
-- Statuses outside 2xx are counted here: wrk itself treats 3xx (a redirect to the
-- sign-in page) as success.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local file = os.getenv("BENCH_PATHS_FILE")
  if file then
    for line in io.lines(file) do
      if line ~= "" then table.insert(paths, line) end
    end
  end
  if #paths == 0 then table.insert(paths, "/") end
  idx = ((tid or 1) - 1) * math.floor(#paths / 2 + 1)
  non2xx = 0
  redirects = 0
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
  if os.getenv("BENCH_HX") == "1" then wrk.headers["HX-Request"] = "true" end
  cookies = {}
  local cfile = os.getenv("BENCH_COOKIES_FILE")
  if cfile and cfile ~= "" then
    for line in io.lines(cfile) do
      if line ~= "" then table.insert(cookies, line) end
    end
  end
  cidx = ((tid or 1) - 1) * math.floor(#cookies / 2 + 1)
end

function request()
  idx = idx % #paths + 1
  if #cookies > 0 then
    cidx = cidx % #cookies + 1
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    headers["Cookie"] = cookies[cidx]
    return wrk.format("GET", paths[idx], headers)
  end
  return wrk.format("GET", paths[idx])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if status >= 300 and status < 400 then redirects = redirects + 1 end
  end
end

function done(summary, latency, requests)
  local bad, redir = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    redir = redir + (t:get("redirects") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, "redirects": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes, bad, redir,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
