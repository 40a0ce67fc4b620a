-- POSTs gateway requests {"orderID": 10000000 + i, "billingNumber": "BENCH-000000i"}
-- with a Bearer token, and prints a JSON summary when the run is done.
--
-- wrk -s bench/wrk/gateway.lua URL -- PATH TOKEN MODE FIRST COUNT ORDER_ID_BASE THREADS
--   MODE "walk":   every request takes the next invoice, FIRST, FIRST+1, ... (distinct
--                  across threads), so each settles an invoice not yet paid;
--   MODE "spread": invoices scattered over 1..COUNT, so reads do not hit one hot row.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  path, mode = args[1], args[3]
  first, count, base, nthreads = tonumber(args[4]), tonumber(args[5]), tonumber(args[6]), tonumber(args[7])
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  sent = 0
end

function request()
  local i
  if mode == "walk" then
    i = first + tid + sent * nthreads
  else
    i = ((sent * nthreads + tid) * 7919) % count + 1
  end
  sent = sent + 1
  last = i
  local body = string.format('{"orderID": %d, "billingNumber": "BENCH-%07d"}', base + i, i)
  return wrk.format("POST", path, nil, body)
end

function done(summary, latency, requests)
  local last_index = 0
  for _, thread in ipairs(threads) do
    last_index = math.max(last_index, thread:get("last") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, "last_index": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, last_index))
end
