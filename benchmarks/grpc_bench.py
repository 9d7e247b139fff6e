#!/usr/bin/env python3
"""gRPC benchmark (issue 19): the gRPC surface against REST and PostgreSQL, side by side in one run.

EventDBX: a real server (`bin/dbx start`, its own data directory). Load: REST from wrk (POST /v1/events, 64 keep-alive
connections, the REST benchmark's script and ~300-byte payload); gRPC from GrpcLoad, a grpc-java client (Netty, 4
HTTP/2 connections) in its own JVM: unary AppendEvent with 64 calls in flight, AppendEvents of 100 events with 8 calls
in flight, and a Subscribe from position 1 catching up over the stored log (filled to --events first). PostgreSQL:
Debian's server (synchronous_commit=on), pgbench with 8 clients, each transaction one INSERT of 100 rows into the
REST benchmark's events table.

Unary calls and batches are driven by h2load (nghttp2-client, C, a prepared gRPC frame per caller) so that the load
generator costs the shared cores about what wrk costs REST; the grpc-java client's figure is printed beside them.

Targets: unary >= 1.0x REST POST at 64 clients; AppendEvents (100 per call, 8 calls) >= 3x the unary event rate and
>= 1.0x PostgreSQL's 100-row transactions (rows/s); Subscribe catch-up >= 200 k events/s to one client.

Usage: python3 benchmarks/grpc_bench.py [--seconds 10] [--events 1000000] [--dbx-only]
Needs wrk and PostgreSQL (apt-get install wrk postgresql), and the benchmarks module built (mvn install).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rest_vs_postgres import (POST_LUA, PAYLOAD_JSON, Postgres, dbx_server, load_generator_cpu, need, process_cpu,
                              run, server_pid, server_token, start_server, with_cpu, wrk)

HERE = os.path.dirname(os.path.abspath(__file__))


def classpath():
    """The benchmarks module's classes and dependencies (built by mvn install)."""
    out = os.path.join(HERE, "target", "classpath.txt")
    subprocess.run(["mvn", "-q", "-f", os.path.join(HERE, "pom.xml"),
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                    "-Dmdep.outputFile=" + out], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return os.path.join(HERE, "target", "classes") + ":" + f.read().strip()


def _varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _field(number, value):
    """A length-delimited protobuf field (string or embedded message)."""
    data = value.encode() if isinstance(value, str) else value
    return _varint((number << 3) | 2) + _varint(len(data)) + data


def append_event(aggregate_id):
    """dbx.api.AppendEventRequest, encoded by hand from the .proto's field numbers."""
    return _field(1, "bench") + _field(2, aggregate_id) + _field(3, "seen") + _field(4, PAYLOAD_JSON)


def grpc_frame(message):
    """A gRPC length-prefixed message: not compressed, 4-byte big-endian length."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def h2load(url, path, bodies, token, seconds, work, name):
    """One h2load per body, all at once, one connection and one call in flight each: every caller appends to its own
    aggregates, as wrk's connections do for REST. h2load counts HTTP 200 as success while gRPC puts its status in the
    trailers, so the caller checks what was written. Returns the summed rate and the calls made."""
    need("h2load", "apt-get install nghttp2-client")
    procs = []
    for i, body in enumerate(bodies):
        file = os.path.join(work, f"{name}-{i}.bin")
        with open(file, "wb") as f:
            f.write(body)
        procs.append(subprocess.Popen(
            ["h2load", "-c", "1", "-m", "1", "-t", "1", "-D", str(seconds), "--warm-up-time", "1", "-d", file,
             "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", "authorization: Bearer " + token,
             url + path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    rate, calls, means = 0.0, 0, []
    for proc in procs:
        out = proc.communicate()[0]
        m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
        done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
        lat = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)", out)
        if proc.returncode != 0 or not m or not done or int(done.group(3)):
            raise SystemExit("h2load failed:\n" + out)
        rate += float(m.group(1))
        calls += int(done.group(2))
        means.append(lat.group(3))
    return {"rate": rate, "n": calls, "mean_latency": means[0]}


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
    work = tempfile.mkdtemp(prefix="dbx-grpc-bench-")
    data, env, base, url = dbx_server(args.dbx, work)
    port = int(url.rsplit(":", 1)[1])
    pg = Postgres(work)
    r = {}
    try:
        start_server(base, env, url)
        token = server_token(base, env, "grpc")
        post64 = os.path.join(work, "post64.lua")
        with open(post64, "w") as f:
            f.write(POST_LUA.replace("TOKEN", token).replace("PAYLOAD", PAYLOAD_JSON.replace("\\", "\\\\"))
                    .replace("AGGREGATES", "1024").replace("THREADS", "2"))
        server = server_pid(data)
        server_cpu = lambda: process_cpu(server)
        common = dict(port=port, token=token, payload=PAYLOAD_JSON)
        # warm-up of both paths (the JIT needs ~20 s of load)
        wrk(url, post64, 64, 20, 2)
        grpc_load(cp, "unary", concurrency=64, seconds=5, warmup=15, **common)

        r["rest64"] = with_cpu(server_cpu, lambda: wrk(url, post64, 64, args.seconds, 2))

        def measured(mode, **options):
            server0, client0 = server_cpu(), load_generator_cpu()
            result = grpc_load(cp, mode, **options, **common)
            result["server_us"] = 1e6 * (server_cpu() - server0) / result["events"]
            # the whole client process, warm-up included, over the measured events: an upper bound
            result["client_us"] = 1e6 * (load_generator_cpu() - client0) / result["events"]
            result["rate"] = result["event_rate"]
            return result

        def versions(prefix, count):
            total = 0
            for i in range(count):
                request = urllib.request.Request(f"{url}/v1/aggregates/bench/{prefix}{i}",
                                                 headers={"Authorization": "Bearer " + token})
                total += json.loads(urllib.request.urlopen(request).read())["version"]
            return total

        # h2load (C, one connection and one call in flight per process, each on its own aggregate): a load
        # generator as light as wrk, so the two cores go to the server as they do for REST
        unary_bodies = [grpc_frame(append_event(f"h-{i}")) for i in range(64)]
        h2load(url, "/dbx.api.EventService/AppendEvent", unary_bodies, token, 5, work, "warm-unary")
        r["unary64"] = with_cpu(server_cpu, lambda: h2load(url, "/dbx.api.EventService/AppendEvent", unary_bodies,
                                                           token, args.seconds, work, "unary"))
        written = versions("h-", 64)
        if written < r["unary64"]["n"]:
            raise SystemExit(f"h2load counted {r['unary64']['n']} calls but only {written} events were written")
        batch_bodies = [grpc_frame(b"".join(_field(1, append_event(f"hb-{i}")) for _ in range(100)))
                        for i in range(8)]
        h2load(url, "/dbx.api.EventService/AppendEvents", batch_bodies, token, 3, work, "warm-batch")
        batch = with_cpu(server_cpu, lambda: h2load(url, "/dbx.api.EventService/AppendEvents", batch_bodies, token,
                                                    args.seconds, work, "batch"))
        if versions("hb-", 8) < 100 * batch["n"]:
            raise SystemExit("AppendEvents calls were counted that wrote nothing")
        batch["calls"], batch["seconds"] = batch["n"], args.seconds
        batch["server_us"] /= 100
        batch["client_us"] /= 100
        batch["rate"] *= 100
        batch["events"] = batch["n"] * 100
        r["batch8"] = batch
        # the same with a grpc-java client (GrpcLoad, Netty): what a Java application sees
        r["unary64_java"] = measured("unary", concurrency=64, seconds=args.seconds, warmup=5)
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
    print("| measurement | result | latency | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|---|")
    u, rest, b, j = r["unary64"], r["rest64"], r["batch8"], r["unary64_java"]
    print(f"| unary AppendEvent, 64 calls in flight (h2load) | {u['rate']:,.0f} events/s | mean "
          f"{u['mean_latency']} | REST POST /v1/events, 64 clients (wrk): {rest['rate']:,.0f}/s | "
          f"{u['rate'] / rest['rate']:.2f}x | >= 1.0x |")
    print(f"| unary AppendEvent, 64 calls in flight (grpc-java client) | {j['rate']:,.0f} events/s | p50 "
          f"{j['p50_ms']:.2f} / p99 {j['p99_ms']:.2f} ms | REST POST, 64 clients: {rest['rate']:,.0f}/s | "
          f"{j['rate'] / rest['rate']:.2f}x | |")
    print(f"| AppendEvents of 100, 8 calls in flight (h2load) | {b['rate']:,.0f} events/s ({b['calls'] / b['seconds']:,.0f} "
          f"calls/s) | mean {b['mean_latency']} | unary, same run: {u['rate']:,.0f} events/s | "
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
    print(f"| unary AppendEvent, 64 in flight (h2load) | {u['server_us']:.1f} | {u['client_us']:.1f} (h2load) |")
    print(f"| unary AppendEvent, 64 in flight (grpc-java) | {j['server_us']:.1f} | {j['client_us']:.1f} (GrpcLoad "
          f"JVM, with its start and warm-up) |")
    print(f"| AppendEvents of 100, 8 in flight (h2load) | {b['server_us']:.1f} | {b['client_us']:.1f} (h2load) |")
    print(f"| Subscribe catch-up | {s['server_us']:.1f} | {1e6 * s['client_cpu'] / s['events']:.1f} |")
    if "pg100" in r:
        p = r["pg100"]
        print(f"| PostgreSQL 100-row INSERT, 8 clients | {p['server_us'] / 100:.1f} per row | "
              f"{p['client_us'] / 100:.1f} per row (pgbench) |")


if __name__ == "__main__":
    main()
