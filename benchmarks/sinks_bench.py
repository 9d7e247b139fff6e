#!/usr/bin/env python3
"""The postgres sink against the physical limit of the same PostgreSQL, same run (issue: sinks).

1. Appends at 64 clients (wrk, REST, the REST benchmark's payload) with the postgres sink enabled and caught up,
   against the same with it disabled: three rounds of each, alternating; the median of the rounds' ratios.
2. A backlog of --backlog events (default 300,000, over 1,024 aggregates) committed while the sink is disabled, then
   drained into PostgreSQL when it is enabled: events per second, and the server's CPU per event by thread.
3. The baseline: PgUpsertLoop, a plain JDBC loop upserting the same number of rows shaped like the sink's (the same
   table, statement and version guard) in transactions of 512 (the dispatcher's batch), into the same PostgreSQL.

Usage: python3 benchmarks/sinks_bench.py [--seconds 10] [--backlog 300000]
Needs wrk and PostgreSQL (apt-get install wrk postgresql) and `mvn install` (the distribution and this module).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

from grpc_bench import classpath
from rest_vs_postgres import (PAYLOAD_JSON, POST_LUA, Postgres, dbx_server, need, process_cpu, run, server_pid,
                              server_token, start_server, with_cpu, wrk)
from plugins_bench import thread_cpu


def plugin(base, env, name):
    listed = json.loads(run(base + ["plugin", "list", "--json"], env=env))
    return next(p for p in listed if p["name"] == name)


def caught_up(base, env, name, limit=900):
    started = time.time()
    while True:
        p = plugin(base, env, name)
        if p["lag"] == 0 and p["pending"] == 0:
            return time.time() - started
        if time.time() - started > limit:
            raise SystemExit(f"the sink did not catch up in {limit} s: {p}")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=300_000)
    parser.add_argument("--dbx", default=os.path.join(os.path.dirname(__file__), "..", "runtime", "target", "dbx",
                                                      "bin", "dbx"))
    args = parser.parse_args()
    need("wrk", "apt-get install wrk")
    work = tempfile.mkdtemp(prefix="dbx-sinks-bench-")
    data, env, base, url = dbx_server(args.dbx, work)
    pg = Postgres(work)
    try:
        pg.start()
        pg.sql("CREATE DATABASE rm")
        connection = f"postgresql://postgres@127.0.0.1:{pg.port}/rm"
        start_server(base, env, url)
        token = server_token(base, env, "wrk")
        server = server_pid(data)
        server_cpu = lambda: process_cpu(server)
        script = os.path.join(work, "post64.lua")
        with open(script, "w") as f:
            f.write(POST_LUA.replace("TOKEN", token).replace("PAYLOAD", PAYLOAD_JSON.replace("\\", "\\\\"))
                    .replace("AGGREGATES", "1024").replace("THREADS", "2"))
        wrk(url, script, 64, 30, 2)  # warm-up: the JIT and a steady store
        run(base + ["plugin", "postgres", "--connection", connection], env=env)
        caught_up(base, env, "postgres")

        rounds = []
        for _ in range(3):
            run(base + ["plugin", "disable", "postgres"], env=env)
            without = with_cpu(server_cpu, lambda: wrk(url, script, 64, args.seconds, 2))
            run(base + ["plugin", "enable", "postgres"], env=env)
            caught_up(base, env, "postgres")
            cpu0 = pg.cpu()
            with_sink = with_cpu(server_cpu, lambda: wrk(url, script, 64, args.seconds, 2))
            with_sink["pg_us"] = (pg.cpu() - cpu0) / with_sink["n"] * 1e6
            caught_up(base, env, "postgres")
            rounds.append((without, with_sink))
        ratios = sorted(w["rate"] / n["rate"] for n, w in rounds)

        # the backlog
        run(base + ["plugin", "disable", "postgres"], env=env)
        lag = 0
        while lag < args.backlog:
            wrk(url, script, 64, 10, 2)
            lag = plugin(base, env, "postgres")["lag"]
        threads_before = thread_cpu(server)
        cpu0, pg0 = server_cpu(), pg.cpu()
        run(base + ["plugin", "enable", "postgres"], env=env)
        drain_seconds = caught_up(base, env, "postgres")
        drain_cpu, drain_pg = server_cpu() - cpu0, pg.cpu() - pg0
        threads_after = thread_cpu(server)
        drain_threads = sorted(((threads_after.get(k, 0) - threads_before.get(k, 0), k) for k in threads_after),
                               reverse=True)[:5]

        # the baseline: the same upserts from a plain JDBC loop
        pg0 = pg.cpu()
        out = run(["java", "-cp", classpath(), "io.eventdbx.benchmarks.PgUpsertLoop",
                   f"jdbc:postgresql://127.0.0.1:{pg.port}/rm?user=postgres", str(lag), "1024", "512"])
        m = re.search(r"RESULT (\d+) ([\d.]+)", out)
        if not m:
            raise SystemExit("PgUpsertLoop printed no result:\n" + out)
        baseline_rate = int(m.group(1)) / float(m.group(2))
        baseline_pg = (pg.cpu() - pg0) / int(m.group(1)) * 1e6
        rows = int(run(pg._psql(["-d", "rm", "-A", "-t", "-c", "SELECT count(*) FROM bench"])).strip())
    finally:
        subprocess.run(base + ["stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    rate = lag / drain_seconds
    print(f"Payload {len(PAYLOAD_JSON)} bytes of JSON over 1,024 aggregates; {args.seconds} s per measurement; wrk, "
          f"the server and PostgreSQL on the same 2 cores.\n")
    print("| measurement | result | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| backlog of {lag:,} events drained into PostgreSQL ({rows:,} rows) | {rate:,.0f} events/s ({drain_seconds:.1f}"
          f" s; server CPU {drain_cpu / lag * 1e6:.1f} µs, PostgreSQL {drain_pg / lag * 1e6:.1f} µs each) | "
          f"PgUpsertLoop, the same upserts in transactions of 512: {baseline_rate:,.0f}/s (PostgreSQL "
          f"{baseline_pg:.1f} µs each) | {rate / baseline_rate:.2f}x | >= 0.8x and >= 20,000/s |")
    without = ", ".join(f"{n['rate']:,.0f}" for n, _ in rounds)
    with_sink = ", ".join(f"{w['rate']:,.0f}" for _, w in rounds)
    print(f"| appends, 64 clients, postgres sink enabled and caught up (3 rounds) | {with_sink}/s; server CPU "
          f"{statistics.mean(w['server_us'] for _, w in rounds):.1f} µs, PostgreSQL "
          f"{statistics.mean(w['pg_us'] for _, w in rounds):.1f} µs each | sink disabled: {without}/s, server CPU "
          f"{statistics.mean(n['server_us'] for n, _ in rounds):.1f} µs | median {ratios[1]:.2f}x (lowest "
          f"{ratios[0]:.2f}x) | >= 0.9x |")
    print("\nServer CPU while the backlog drained, by thread (µs per event): " + ", ".join(
        f"{name} {cpu / lag * 1e6:.1f}" for cpu, name in drain_threads if cpu > 0))


if __name__ == "__main__":
    main()
