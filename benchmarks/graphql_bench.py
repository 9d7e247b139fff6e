#!/usr/bin/env python3
"""GraphQL against REST on the same server, same run (issue: GraphQL performance).

1. `appendEvent` mutations at 64 clients (wrk, the seed's mutation with the REST benchmark's payload) against REST's
   `POST /v1/events` with the same payload and clients, measured before and after (the baseline is their mean);
   server and load-generator CPU per request.
2. The seed's query for 100 aggregates with state (`aggregates(take: 100) { aggregate_type aggregate_id version
   merkle_root state }`), one client after another, at --aggregates stored aggregates (default 1,000,000): p50 and
   p99 latency, against REST's `GET /v1/aggregates?take=100` from the same client.

Usage: python3 benchmarks/graphql_bench.py [--seconds 10] [--aggregates 1000000]
Needs wrk (apt-get install wrk) and a built distribution (runtime/target/dbx).
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from rest_vs_postgres import (LUA_PRELUDE, PAYLOAD_JSON, POST_LUA, dbx_server, need, process_cpu, server_pid,
                              server_token, start_server, with_cpu, wrk)

SEED_QUERY = ("query RecentAggregates($take: Int!) { aggregates(take: $take) { aggregate_type aggregate_id version "
              "merkle_root state } }")
SEED_MUTATION = ("mutation Append($input: AppendEventInput!) { appendEvent(input: $input) { aggregate_type "
                 "aggregate_id version payload } }")

MUTATION_LUA = LUA_PRELUDE + r"""
function build(i)
  -- each thread cycles through its own aggregates, as the REST script's
  local id = "a-" .. thread_id .. "-" .. i
  local body = '{"query":"MUTATION","variables":{"input":{"aggregate_type":"bench","aggregate_id":"' .. id
    .. '","event_type":"seen","payload":PAYLOAD}}}'
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer TOKEN"}, body)
end
"""

# One new aggregate per request: the store to query grows by one aggregate per append.
LOAD_LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  prefix = "l-" .. RUN .. "-" .. tid .. "-"
end
function request()
  counter = counter + 1
  local body = '{"aggregate_type":"bulk","aggregate_id":"' .. prefix .. counter .. '","event_type":"seen","payload":{"n":' .. counter .. ',"status":"active"}}'
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer TOKEN"}, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end
"""


def latencies(port, token, method, path, body, count):
    """Milliseconds of each of `count` requests, one after another on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    out = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        out.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}: {data[:300]}")
    connection.close()
    return out, data


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--aggregates", type=int, default=1_000_000, help="aggregates stored for the query")
    parser.add_argument("--queries", type=int, default=3000, help="seed queries timed (and as many REST pages)")
    parser.add_argument("--dbx", default=os.path.join(os.path.dirname(__file__), "..", "runtime", "target", "dbx",
                                                      "bin", "dbx"))
    args = parser.parse_args()
    need("wrk", "apt-get install wrk")
    work = tempfile.mkdtemp(prefix="dbx-graphql-bench-")
    data, env, base, url = dbx_server(args.dbx, work)
    port = int(url.rsplit(":", 1)[1])
    try:
        start_server(base, env, url)
        token = server_token(base, env, "wrk")
        server = server_pid(data)
        server_cpu = lambda: process_cpu(server)

        def script(template, name, **values):
            path = os.path.join(work, name)
            text = template
            for key, value in values.items():
                text = text.replace(key, value)
            with open(path, "w") as f:
                f.write(text)
            return path

        payload = PAYLOAD_JSON.replace("\\", "\\\\")
        rest64 = script(POST_LUA, "rest64.lua", TOKEN=token, PAYLOAD=payload, AGGREGATES="1024", THREADS="2")
        mutation = SEED_MUTATION.replace('"', '\\"')
        graphql64 = script(MUTATION_LUA, "graphql64.lua", TOKEN=token, PAYLOAD=payload, AGGREGATES="1024",
                           THREADS="2", MUTATION=mutation)
        # warm-up of both paths: the JIT needs ~20 s of load before the server is steady
        wrk(url, rest64, 64, 20, 2)
        wrk(url, graphql64, 64, 20, 2)
        # three rounds of REST then GraphQL: on a shared, noisy machine the rate of either drifts by tens of percent
        # within a minute, so each round's ratio compares neighbours, and the median ratio is the figure
        rounds = []
        for _ in range(3):
            rest = with_cpu(server_cpu, lambda: wrk(url, rest64, 64, args.seconds, 2))
            graphql = with_cpu(server_cpu, lambda: wrk(url, graphql64, 64, args.seconds, 2))
            rounds.append((rest, graphql))
        ratios = sorted(g["rate"] / r["rate"] for r, g in rounds)
        rest_rate = statistics.mean(r["rate"] for r, _ in rounds)
        rest_us = statistics.mean(r["server_us"] for r, _ in rounds)
        graphql = {key: statistics.mean(g[key] for _, g in rounds) for key in ("rate", "server_us", "client_us")}
        graphql["p50_ms"] = statistics.median(g["p50_ms"] for _, g in rounds)
        graphql["p99_ms"] = statistics.median(g["p99_ms"] for _, g in rounds)

        # the store for the query: --aggregates new aggregates (the appends above made 2,048 more)
        loaded, run_number, load_started = 0, 0, time.time()
        while loaded < args.aggregates:
            run_number += 1
            load = script(LOAD_LUA, f"load{run_number}.lua", TOKEN=token, RUN=str(run_number))
            chunk = max(5, min(60, int((args.aggregates - loaded) / 8000) + 1))
            loaded += wrk(url, load, 64, chunk, 2)["n"]
        load_seconds = time.time() - load_started

        body = json.dumps({"query": SEED_QUERY, "variables": {"take": 100}})
        latencies(port, token, "POST", "/graphql", body, 500)  # warm-up
        latencies(port, token, "GET", "/v1/aggregates?take=100", None, 500)
        cpu0 = server_cpu()
        seed, answer = latencies(port, token, "POST", "/graphql", body, args.queries)
        seed_cpu = (server_cpu() - cpu0) / args.queries * 1e6
        items = json.loads(answer)["data"]["aggregates"]
        if len(items) != 100 or "state" not in items[0]:
            raise SystemExit("the seed query did not answer 100 aggregates with state: " + answer[:300].decode())
        cpu0 = server_cpu()
        rest, _ = latencies(port, token, "GET", "/v1/aggregates?take=100", None, args.queries)
        rest_cpu = (server_cpu() - cpu0) / args.queries * 1e6
    finally:
        subprocess.run(base + ["stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)

    print(f"Payload {len(PAYLOAD_JSON)} bytes of JSON; {args.seconds} s per measurement; wrk and the server on the "
          f"same 2 cores.\n")
    print("| measurement | result | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    graphql_rounds = ", ".join(f"{g['rate']:,.0f}" for _, g in rounds)
    rest_rounds = ", ".join(f"{r['rate']:,.0f}" for r, _ in rounds)
    print(f"| `appendEvent` mutations, 64 clients (3 rounds of {args.seconds} s, each after a REST round) | "
          f"{graphql['rate']:,.0f}/s (rounds: {graphql_rounds}), "
          f"p50 {graphql['p50_ms']:.1f} ms, p99 {graphql['p99_ms']:.1f} ms; server CPU {graphql['server_us']:.1f} µs, "
          f"wrk {graphql['client_us']:.1f} µs each | REST `POST /v1/events`: {rest_rate:,.0f}/s (rounds: "
          f"{rest_rounds}), server CPU "
          f"{rest_us:.1f} µs | median of the rounds' ratios {ratios[1]:.2f}x (lowest {ratios[0]:.2f}x) | >= 0.7x |")
    print(f"| the seed's query, 100 aggregates with state, {loaded + 2048:,} aggregates stored, one client | p50 "
          f"{percentile(seed, 0.5):.2f} ms, p99 {percentile(seed, 0.99):.2f} ms, server CPU {seed_cpu:.0f} µs each | "
          f"REST `GET /v1/aggregates?take=100`: p50 {percentile(rest, 0.5):.2f} ms, p99 {percentile(rest, 0.99):.2f} "
          f"ms, server CPU {rest_cpu:.0f} µs | {percentile(seed, 0.5) / percentile(rest, 0.5):.2f}x the latency | "
          f"p50 <= 2 ms |")
    print(f"\n(Loading {loaded:,} aggregates through REST took {load_seconds:.0f} s; {args.queries:,} queries timed.)")


if __name__ == "__main__":
    main()
