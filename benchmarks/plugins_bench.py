#!/usr/bin/env python3
"""Plugins under load (issue 18): a real server (bin/dbx start), wrk appending over REST at 64 clients.

1. appends with no plugin against appends with two plugins enabled (tcp to a local receiver in this script + log at
   info into the server log), one after the other in the same run, with the server CPU per append of each;
2. delivery lag at that load: the receiver notes when each line arrives and subtracts the event's created_at (the
   server's clock, set when the event's batch is built, before its sync: the lag measured is at least the real one);
3. a backlog of --backlog events (default 1,000,000) committed while the tcp plugin is disabled, then drained to the
   receiver when it is enabled: events per second.

Usage (after mvn -B -DskipTests install; needs wrk): python3 benchmarks/plugins_bench.py [--seconds 10]
"""
import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from rest_vs_postgres import (PAYLOAD_JSON, POST_LUA, dbx_server, need, process_cpu,  # noqa: E402
                              run, server_pid, server_token, start_server, with_cpu, wrk)


class Receiver:
    """A TCP receiver: counts lines and, for every 10th line, notes (arrival - created_at)."""

    def __init__(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.lines = 0
        self.lags = []
        self.sampling = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        rest = b""
        marker = b'"created_at":"'
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                return
            now = time.time()
            data = rest + chunk
            end = data.rfind(b"\n")
            if end < 0:
                rest = data
                continue
            complete, rest = data[:end + 1], data[end + 1:]
            n = complete.count(b"\n")
            if self.sampling:
                start = 0
                for i in range(n):
                    nl = complete.index(b"\n", start)
                    if (self.lines + i) % 10 == 0:
                        at = complete.find(marker, start, nl)
                        if at >= 0:
                            stamp = complete[at + len(marker):complete.index(b'"', at + len(marker))].decode()
                            created = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
                            self.lags.append(now - created)
                    start = nl + 1
            self.lines += n


def thread_cpu(pid):
    """CPU seconds per thread name (threads of one name summed, digits dropped) of a process so far."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip().rstrip("0123456789-")
        except OSError:
            continue  # the thread ended
        fields = stat.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=1_000_000)
    parser.add_argument("--dbx", default=os.path.join(os.path.dirname(__file__), "..", "runtime", "target", "dbx",
                                                      "bin", "dbx"))
    parser.add_argument("--profile", help="a JFR recording of the server while the backlog drains, to this file")
    args = parser.parse_args()
    need("wrk", "apt-get install wrk")
    work = tempfile.mkdtemp(prefix="dbx-plugins-bench-")
    data, env, base, url = dbx_server(args.dbx, work)
    receiver = Receiver()
    try:
        start_server(base, env, url)
        token = server_token(base, env, "wrk")
        script = os.path.join(work, "post64.lua")
        with open(script, "w") as f:
            f.write(POST_LUA.replace("TOKEN", token).replace("PAYLOAD", PAYLOAD_JSON.replace("\\", "\\\\"))
                    .replace("AGGREGATES", "1024").replace("THREADS", "2"))
        server = server_pid(data)
        server_cpu = lambda: process_cpu(server)
        wrk(url, script, 64, 30, 2)  # warm-up: the JIT and a steady store
        none = with_cpu(server_cpu, lambda: wrk(url, script, 64, args.seconds, 2))
        run(base + ["plugin", "config", "tcp", "--name", "bench-tcp", "--host", "127.0.0.1", "--port",
                    str(receiver.port)], env=env)
        run(base + ["plugin", "config", "log", "--name", "bench-log", "--level", "info"], env=env)
        wrk(url, script, 64, 5, 2)  # the plugins' own warm-up
        receiver.lags.clear()
        receiver.sampling = True
        load_threads_before = thread_cpu(server)
        two = with_cpu(server_cpu, lambda: wrk(url, script, 64, args.seconds, 2))
        load_threads_after = thread_cpu(server)
        receiver.sampling = False
        lags = list(receiver.lags)

        # backlog: commit with the tcp plugin disabled (the log plugin too, so that it does not fill the disk)
        run(base + ["plugin", "disable", "bench-tcp"], env=env)
        run(base + ["plugin", "disable", "bench-log"], env=env)
        # no plugin again: the store has grown (more compaction) since the first row; the baseline is the mean
        none_after = with_cpu(server_cpu, lambda: wrk(url, script, 64, args.seconds, 2))
        none = {"rate": (none["rate"] + none_after["rate"]) / 2, "server_us": (none["server_us"] + none_after["server_us"]) / 2,
                "before": none["rate"], "after": none_after["rate"]}
        lag = 0
        while lag < args.backlog:
            wrk(url, script, 64, 10, 2)
            listed = json.loads(run(base + ["plugin", "list", "--json"], env=env))
            lag = next(p["lag"] for p in listed if p["name"] == "bench-tcp")
        before = receiver.lines
        started = time.time()
        cpu_before = server_cpu()
        threads_before = thread_cpu(server)
        if args.profile:
            run(["jcmd", str(server), "JFR.start", "settings=profile", "filename=" + os.path.abspath(args.profile)])
        run(base + ["plugin", "enable", "bench-tcp"], env=env)
        while receiver.lines - before < lag:
            if time.time() - started > 600:
                raise SystemExit(f"the backlog did not drain in 10 minutes: {receiver.lines - before} of {lag}")
            time.sleep(0.01)
        drain_seconds = time.time() - started
        drain_cpu = server_cpu() - cpu_before
        threads_after = thread_cpu(server)
        drain_threads = sorted(((threads_after.get(k, 0) - threads_before.get(k, 0), k) for k in threads_after),
                               reverse=True)[:6]
        if args.profile:
            run(["jcmd", str(server), "JFR.stop"])
    finally:
        subprocess.run(base + ["stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)

    print(f"Payload {len(PAYLOAD_JSON)} bytes of JSON; {args.seconds} s per measurement; wrk, the receiver and the "
          f"server on the same 2 cores.\n")
    print("| measurement | result | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| durable appends, 64 clients, 2 plugins (tcp + log) | {two['rate']:,.0f}/s, server CPU "
          f"{two['server_us']:.1f} µs each | no plugin (mean of the runs before and after: {none['before']:,.0f}/s and "
          f"{none['after']:,.0f}/s): {none['rate']:,.0f}/s, {none['server_us']:.1f} µs | "
          f"{two['rate'] / none['rate']:.2f}x | >= 0.9x |")
    print(f"| delivery lag, created_at to the tcp receiver, at that load ({len(lags):,} samples) | p50 "
          f"{percentile(lags, 0.5) * 1000:.1f} ms, p99 {percentile(lags, 0.99) * 1000:.1f} ms, max "
          f"{max(lags) * 1000 if lags else float('nan'):.1f} ms | | | p99 <= 50 ms |")
    print(f"| backlog of {lag:,} events drained to the tcp receiver | {lag / drain_seconds:,.0f} events/s "
          f"({drain_seconds:.1f} s, server CPU {drain_cpu / lag * 1e6:.1f} µs each) | | | >= 100,000/s |")
    load_threads = sorted(((load_threads_after.get(k, 0) - load_threads_before.get(k, 0), k) for k in load_threads_after),
                          reverse=True)[:8]
    print("\nServer CPU during the appends with 2 plugins, by thread (µs per append): " + ", ".join(
        f"{name} {cpu / two['n'] * 1e6:.1f}" for cpu, name in load_threads if cpu > 0))
    print("\nServer CPU while the backlog drained, by thread (µs per event): " + ", ".join(
        f"{name} {cpu / lag * 1e6:.1f}" for cpu, name in drain_threads if cpu > 0))


if __name__ == "__main__":
    main()
