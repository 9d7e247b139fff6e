#!/usr/bin/env python3
"""Start-up benchmark of the dbx launcher and runtime (issue: runtime foundation).

Measures, in one run on this machine, against the bare JVM as the baseline:
  * JVM start -> runtime ready (server with core + shell + control + deploy), from the server's own banner;
  * a forwarded command round trip (`dbx status` against a running server), whole process;
  * an embedded one-shot command (`dbx help`, no server running), whole process;
  * baseline: `java -version` with the same JVM flags as bin/dbx, i.e. the floor any Java CLI pays.

Usage: python3 benchmarks/startup.py [--runs N] [--dbx runtime/target/dbx/bin/dbx]
Prints a Markdown table; copy it into docs/benchmarks.md with the command line.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time


def timed(cmd, env):
    t0 = time.perf_counter()
    result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = (time.perf_counter() - t0) * 1000
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary(samples):
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, int(round(0.9 * (len(samples) - 1))))]
    return statistics.median(samples), p90


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--dbx", default=os.path.join(os.path.dirname(__file__), "..", "runtime", "target", "dbx", "bin", "dbx"))
    args = parser.parse_args()
    dbx = os.path.abspath(args.dbx)
    work = tempfile.mkdtemp(prefix="dbx-bench-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    with open(os.path.join(data, "config.toml"), "w") as f:
        f.write(f'port = {free_port()}\n[socket]\nbind_addr = "127.0.0.1:0"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDBX_")}
    env["HOME"] = work
    java = os.path.join(env["JAVA_HOME"], "bin", "java") if env.get("JAVA_HOME") else "java"
    base = [dbx, "--data-dir", data]
    try:
        baseline = [timed([java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-version"], env)[0]
                    for _ in range(args.runs)]
        embedded = [timed(base + ["help"], env)[0] for _ in range(args.runs)]
        def ready_times(options):
            times = []
            for _ in range(max(3, args.runs // 2)):
                timed(base + ["start"] + options, env)
                with open(os.path.join(data, "logs", "eventdbx.log")) as log:
                    banners = re.findall(r"ready in (\d+) ms", log.read())
                times.append(float(banners[-1]))
                timed(base + ["stop"], env)
            return times

        ready = ready_times(["--api", "grpc"])  # core + shell + store + deploy: no HTTP listener
        ready_rest = ready_times(["--api", "rest"])  # the default: also Felix HTTP (Jetty 12) and the REST bundles
        timed(base + ["start"], env)
        try:
            timed(base + ["status"], env)  # warm the page cache, not the JVM: every run is a new process
            forwarded = [timed(base + ["status"], env)[0] for _ in range(args.runs)]
        finally:
            timed(base + ["stop"], env)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    jvm, jvm90 = summary(baseline)
    rows = [
        ("bare JVM `java -version` (baseline)", baseline, None),
        ("JVM start -> runtime ready (server banner), without REST (`--api grpc`)", ready, 1500),
        ("JVM start -> runtime ready (server banner), with REST (the default)", ready_rest, None),
        ("forwarded `dbx status`, whole process", forwarded, 500),
        ("embedded one-shot `dbx help`, whole process", embedded, 2000),
    ]
    print(f"runs: {args.runs}; cores: {os.cpu_count()}; java: "
          + subprocess.run([java, "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()[0])
    print()
    print("| measurement | median ms | p90 ms | x bare JVM | target |")
    print("|---|---|---|---|---|")
    for name, samples, target in rows:
        median, p90 = summary(samples)
        verdict = "" if target is None else (f"<= {target} ms: " + ("met" if median <= target else "NOT met"))
        print(f"| {name} | {median:.0f} | {p90:.0f} | {median / jvm:.1f} | {verdict} |")


if __name__ == "__main__":
    main()
