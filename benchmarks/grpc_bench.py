#!/usr/bin/env python3
"""gRPC benchmark (issue 19): the gRPC surface against REST and PostgreSQL, side by side in one run.

EventDBX: a real server (`bin/dbx start`, its own data directory). Load: REST from wrk (POST /v1/events, 64 keep-alive
connections, the REST benchmark's script and ~300-byte payload); gRPC from GrpcLoad, a grpc-java client (Netty, 4
HTTP/2 connections) in its own JVM: unary AppendEvent with 64 calls in flight, AppendEvents of 100 events with 8 calls
in flight, and a Subscribe from position 1 catching up over the stored log (filled to --events first). PostgreSQL:
Debian's server (synchronous_commit=on), pgbench with 8 clients, each transaction one INSERT of 100 rows into the
REST benchmark's events table.

Targets: unary >= 1.0x REST POST at 64 clients; AppendEvents (100 per call, 8 calls) >= 3x the unary event rate and
>= 1.0x PostgreSQL's 100-row transactions (rows/s); Subscribe catch-up >= 200 k events/s to one client.

Usage: python3 benchmarks/grpc_bench.py [--seconds 10] [--events 1000000] [--dbx-only]
Needs wrk and PostgreSQL (apt-get install wrk postgresql), and the benchmarks module built (mvn install).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rest_vs_postgres import (POST_LUA, PAYLOAD_JSON, Postgres, free_port, load_generator_cpu, need, process_cpu,
                              run, with_cpu, wrk)

HERE = os.path.dirname(os.path.abspath(__file__))


def classpath():
    """The benchmarks module's classes and dependencies (built by mvn install)."""
    out = os.path.join(HERE, "target", "classpath.txt")
    subprocess.run(["mvn", "-q", "-f", os.path.join(HERE, "pom.xml"),
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                    "-Dmdep.outputFile=" + out], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return os.path.join(HERE, "target", "classes") + ":" + f.read().strip()


def grpc_load(cp, mode, **options):
    """Runs GrpcLoad; its CPU is counted with the other finished children (load_generator_cpu)."""
    cmd = ["java", "-Xms512m", "-Xmx2g", "-cp", cp, "io.eventdbx.benchmarks.GrpcLoad", mode]
    for key, value in options.items():
        cmd += ["--" + key, str(value)]
    out = run(cmd)
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit("GrpcLoad printed no result:\n" + out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--events", type=int, default=1_000_000, help="the log size Subscribe catches up over")
    parser.add_argument("--dbx", default=os.path.join(HERE, "..", "runtime", "target", "dbx", "bin", "dbx"))
    parser.add_argument("--dbx-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    need("wrk", "apt-get install wrk")
    cp = classpath()
    dbx = os.path.abspath(args.dbx)
    work = tempfile.mkdtemp(prefix="dbx-grpc-bench-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    port = free_port()
    with open(os.path.join(data, "config.toml"), "w") as f:
        f.write(f'port = {port}\n[socket]\nbind_addr = "127.0.0.1:0"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDBX_")}
    env["HOME"] = work
    base = [dbx, "--data-dir", data]
    url = f"http://127.0.0.1:{port}"
    pg = Postgres(work)
    r = {}
    try:
        run(base + ["start"], env=env)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("the server's /health did not answer within 60 s")
                time.sleep(0.1)
        token = json.loads(run(base + ["token", "generate", "--group", "bench", "--user", "grpc", "--json"],
                               env=env))["token"]
        post64 = os.path.join(work, "post64.lua")
        with open(post64, "w") as f:
            f.write(POST_LUA.replace("TOKEN", token).replace("PAYLOAD", PAYLOAD_JSON.replace("\\", "\\\\"))
                    .replace("AGGREGATES", "1024").replace("THREADS", "2"))
        with open(os.path.join(data, "eventdbx.pid")) as f:
            server = json.load(f)["pid"]
        server_cpu = lambda: process_cpu(server)
        common = dict(port=port, token=token, payload=PAYLOAD_JSON)
        # warm-up of both paths (the JIT needs ~20 s of load)
        wrk(url, post64, 64, 20, 2)
        grpc_load(cp, "unary", concurrency=64, seconds=5, warmup=15, **common)
        grpc_load(cp, "batch", concurrency=8, batch=100, seconds=5, warmup=5, **common)

        r["rest64"] = with_cpu(server_cpu, lambda: wrk(url, post64, 64, args.seconds, 2))

        def measured(mode, **options):
            server0, client0 = server_cpu(), load_generator_cpu()
            result = grpc_load(cp, mode, **options, **common)
            result["server_us"] = 1e6 * (server_cpu() - server0) / result["events"]
            # the whole client process, warm-up included, over the measured events: an upper bound
            result["client_us"] = 1e6 * (load_generator_cpu() - client0) / result["events"]
            result["rate"] = result["event_rate"]
            return result

        r["unary64"] = measured("unary", concurrency=64, seconds=args.seconds, warmup=5)
        r["batch8"] = measured("batch", concurrency=8, batch=100, seconds=args.seconds, warmup=3)
        # the log now holds the runs' events; add --events more and catch up over exactly that many from position 1
        fill = grpc_load(cp, "fill", events=args.events, batch=1000, concurrency=4, **common)
        r["fill"] = fill
        server0 = server_cpu()
        sub = grpc_load(cp, "subscribe", events=args.events, **common)
        sub["server_us"] = 1e6 * (server_cpu() - server0) / sub["events"]
        r["subscribe"] = sub
        run(base + ["stop"], env=env)

        if not args.dbx_only:
            pg.start()
            pg.sql("CREATE TABLE events (stream text NOT NULL, version bigint NOT NULL, event_type text NOT NULL, "
                   "data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
                   "PRIMARY KEY (stream, version))")
            payload_sql = PAYLOAD_JSON.replace("'", "''")
            insert100 = ("INSERT INTO events (stream, version, event_type, data) SELECT 's-' || :client_id, "
                         "(SELECT coalesce(max(version), 0) FROM events WHERE stream = 's-' || :client_id) + g, "
                         "'seen', '" + payload_sql + "'::jsonb FROM generate_series(1, 100) AS g;\n")
            pg.bench(insert100, 8, 2, work, "warmup100")
            pg_result = with_cpu(pg.cpu, lambda: pg.bench(insert100, 8, args.seconds, work, "insert100"))
            pg_result["rows"] = pg_result["rate"] * 100
            r["pg100"] = pg_result
    finally:
        subprocess.run(base + ["stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"Payload {len(PAYLOAD_JSON)} bytes of JSON; {args.seconds} s per measurement; wrk, GrpcLoad and pgbench "
          f"on the same 2 cores as the servers.\n")
    print("| measurement | result | p50 / p99 ms | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|---|")
    u, rest, b = r["unary64"], r["rest64"], r["batch8"]
    print(f"| unary AppendEvent, 64 calls in flight | {u['rate']:,.0f} events/s | {u['p50_ms']:.2f} / "
          f"{u['p99_ms']:.2f} | REST POST /v1/events, 64 clients: {rest['rate']:,.0f}/s | "
          f"{u['rate'] / rest['rate']:.2f}x | >= 1.0x |")
    print(f"| AppendEvents of 100, 8 calls in flight | {b['rate']:,.0f} events/s ({b['calls'] / b['seconds']:,.0f} "
          f"calls/s) | {b['p50_ms']:.2f} / {b['p99_ms']:.2f} | unary, same run: {u['rate']:,.0f} events/s | "
          f"{b['rate'] / u['rate']:.2f}x | >= 3x |")
    if "pg100" in r:
        p = r["pg100"]
        print(f"| AppendEvents of 100, 8 calls in flight | {b['rate']:,.0f} events/s | | PostgreSQL, 8 clients, "
              f"one 100-row INSERT per transaction: {p['rows']:,.0f} rows/s ({p['rate']:,.0f} tx/s, p50 "
              f"{p['p50_ms']:.2f} / p99 {p['p99_ms']:.2f} ms) | {b['rate'] / p['rows']:.2f}x | >= 1.0x |")
    s = r["subscribe"]
    print(f"| Subscribe from position 1, catching up over {s['events']:,} stored events, one client | "
          f"{s['event_rate']:,.0f} events/s ({s['seconds']:.1f} s) | | | | >= 200 k/s |")
    print(f"\n(log filled with AppendEvents of 1000, 4 in flight: {r['fill']['event_rate']:,.0f} events/s)\n")
    print("CPU per event in microseconds (user + system):\n")
    print("| measurement | server | load generator |")
    print("|---|---|---|")
    print(f"| REST POST, 64 clients | {rest['server_us']:.1f} | {rest['client_us']:.1f} (wrk) |")
    print(f"| unary AppendEvent, 64 in flight | {u['server_us']:.1f} | {u['client_us']:.1f} (GrpcLoad JVM, with "
          f"its start and warm-up) |")
    print(f"| AppendEvents of 100, 8 in flight | {b['server_us']:.1f} | {b['client_us']:.1f} |")
    print(f"| Subscribe catch-up | {s['server_us']:.1f} | {1e6 * s['client_cpu'] / s['events']:.1f} |")
    if "pg100" in r:
        p = r["pg100"]
        print(f"| PostgreSQL 100-row INSERT, 8 clients | {p['server_us'] / 100:.1f} per row | "
              f"{p['client_us'] / 100:.1f} per row (pgbench) |")


if __name__ == "__main__":
    main()
