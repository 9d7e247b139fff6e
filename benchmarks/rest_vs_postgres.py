#!/usr/bin/env python3
"""REST append and read benchmark against PostgreSQL, side by side in one run (issue: REST API).

EventDBX: a real server (`bin/dbx start`, its own data directory) on this machine, load from wrk over keep-alive
connections: POST /v1/events with ~300-byte payloads, acknowledged after the WAL sync that holds them; GET of
current state. PostgreSQL: a real server (Debian's binaries, its own cluster in a temporary folder,
synchronous_commit=on, fsync=on), load from pgbench over keep-alive connections: an INSERT into an events table
with primary key (stream, version), the version taken from the stream's last one, the same ~300-byte JSON
payload in a jsonb column; reads of a stream's latest event.

Targets: 64 clients on distinct aggregates >= 20 k durable appends/s and >= 1.5x PostgreSQL; 1 sequential client
p50 <= 0.5 ms; GET current state >= 30 k/s at 64 clients; p99 reported for each.

Usage: python3 benchmarks/rest_vs_postgres.py [--seconds 10] [--dbx runtime/target/dbx/bin/dbx]
Needs wrk, pgbench and the PostgreSQL server binaries (Debian: apt-get install wrk postgresql).
Prints a Markdown table; copy it into docs/benchmarks.md with the command line.
"""
import argparse
import glob
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

PAYLOAD = {
    "name": "Jane Doe",
    "status": "admitted",
    "ward": {"name": "B-North", "bed": 12},
    "allergies": ["penicillin", "latex"],
    "notes": "x" * 150,
}
PAYLOAD_JSON = json.dumps(PAYLOAD, separators=(",", ":"))

# Shared by both wrk scripts: each wrk thread learns its number, and the run ends with one parseable line.
LUA_PRELUDE = r"""
local counter = 0
local thread_id = 0
local threads = {}
local requests = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
-- Every request is built once, here, by the script's build(i): wrk shares the two cores with the server, and
-- building each request anew in Lua (concatenations, wrk.format with a ~600-character token) cost wrk ~16 us of CPU
-- per request instead of ~13 us.
function init(args)
  thread_id = tid
  for i = 0, AGGREGATES - 1 do
    requests[i] = build(i)
  end
end
function request()
  counter = counter + 1
  return requests[counter % AGGREGATES]
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end
"""

POST_LUA = LUA_PRELUDE + r"""
function build(i)
  -- each thread cycles through its own aggregates: in-flight requests almost never share one
  local id = "a-" .. thread_id .. "-" .. i
  local body = '{"aggregate_type":"bench","aggregate_id":"' .. id .. '","event_type":"seen","payload":PAYLOAD}'
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer TOKEN"}, body)
end
"""

GET_LUA = LUA_PRELUDE + r"""
function build(i)
  -- the aggregates both threads' appends created
  local id = "a-" .. (i % THREADS) .. "-" .. i
  return wrk.format("GET", "/v1/aggregates/bench/" .. id, {["Authorization"] = "Bearer TOKEN"})
end
"""

HEALTH_LUA = LUA_PRELUDE + r"""
function build(i)
  -- the stack's own ceiling: the same listener, servlet and access log, no token, no store, a fixed small answer
  return wrk.format("GET", "/health", {})
end
"""

# The same ceiling for a request of the same size as the GET's: /health ignores the Authorization header, but Jetty
# parses its ~600 characters like any other, so this isolates what the servlet does for a read (token, door, store,
# JSON) from what the stack does for any request that carries a token.
HEALTH_AUTH_LUA = LUA_PRELUDE + r"""
function build(i)
  return wrk.format("GET", "/health", {["Authorization"] = "Bearer TOKEN"})
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(tool, hint):
    path = shutil.which(tool) or next(iter(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}")), None)
    if not path:
        raise SystemExit(f"{tool} is missing: {hint}")
    return path


def run(cmd, **kw):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}")
    return result.stdout


def process_cpu(pid, with_reaped_children=False):
    """CPU seconds (user + system) a process has used; with its reaped children's (PostgreSQL's backends exit when
    their connection closes, and their time is added to the postmaster's)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid):
    """The live child processes of a process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass  # the process ended while we looked
    return found


def load_generator_cpu():
    """CPU seconds used by this script's finished child processes (wrk, pgbench) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(url, script, clients, seconds, threads):
    out = run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s", "-s", script, url])
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if not m:
        raise SystemExit("wrk printed no result:\n" + out)
    requests, micros, errors, p50, p99, status_errors = map(int, m.groups())
    if errors:
        raise SystemExit(f"wrk saw {errors} errors ({status_errors} non-2xx):\n{out}")
    return {"rate": requests / (micros / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000, "n": requests}


def with_cpu(server_cpu, measure):
    """Runs a measurement and adds the CPU each request cost the server and the load generator, in microseconds.
    Both share the same two cores, so when they keep them busy the throughput is about 2 cores / (server +
    load generator) CPU per request: this says where the time went, and is steadier than a rate on a noisy machine."""
    server0, client0 = server_cpu(), load_generator_cpu()
    result = measure()
    result["server_us"] = 1e6 * (server_cpu() - server0) / result["n"]
    result["client_us"] = 1e6 * (load_generator_cpu() - client0) / result["n"]
    return result


def dbx_server(dbx, work):
    """A server's own data directory under `work`, on a free port, and how to run `dbx` against it: (data, env, base
    command, base URL). The environment drops the caller's EVENTDBX_* variables and has its own HOME."""
    data = os.path.join(work, "data")
    os.makedirs(data)
    port = free_port()
    with open(os.path.join(data, "config.toml"), "w") as f:
        f.write(f'port = {port}\n[socket]\nbind_addr = "127.0.0.1:0"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDBX_")}
    env["HOME"] = work
    return data, env, [os.path.abspath(dbx), "--data-dir", data], f"http://127.0.0.1:{port}"


def start_server(base, env, url, jvm_options=""):
    """`dbx start`, then waits until /health answers (JAVA_TOOL_OPTIONS, if given, reach the server only)."""
    run(base + ["start"], env=dict(env, JAVA_TOOL_OPTIONS=jvm_options) if jvm_options else env)
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/health", timeout=2).read()
            return
        except OSError:
            if time.time() > deadline:
                raise SystemExit("the server's /health did not answer within 60 s")
            time.sleep(0.1)


def server_token(base, env, user, *options):
    """A token of group bench from `dbx token generate` (options: --limit N ...)."""
    return json.loads(run(base + ["token", "generate", "--group", "bench", "--user", user, "--json", *options],
                          env=env))["token"]


def server_pid(data):
    with open(os.path.join(data, "eventdbx.pid")) as f:
        return json.load(f)["pid"]


class Postgres:
    def __init__(self, work):
        self.initdb = need("initdb", "apt-get install postgresql")
        self.postgres = need("postgres", "apt-get install postgresql")
        self.pgbench = need("pgbench", "apt-get install postgresql-contrib (or postgresql)")
        self.psql = need("psql", "apt-get install postgresql-client")
        self.dir = os.path.join(work, "pg")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres user
            self.user = "postgres"
            os.chmod(work, 0o755)
        os.makedirs(self.dir)
        if self.user:
            shutil.chown(self.dir, self.user)

    def _as(self, cmd):
        return ["runuser", "-u", self.user, "--"] + cmd if self.user else cmd

    def start(self):
        run(self._as([self.initdb, "-D", self.dir, "-U", "postgres", "--auth", "trust", "-E", "UTF8"]))
        self.proc = subprocess.Popen(
            self._as([self.postgres, "-D", self.dir, "-p", str(self.port), "-k", self.dir, "-h", "127.0.0.1",
                      "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200",
                      "-c", "shared_buffers=512MB", "-c", "wal_level=minimal", "-c", "max_wal_senders=0"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            if subprocess.run(self._psql(["-c", "select 1"]), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.2)
        raise SystemExit("PostgreSQL did not start within 60 s")

    def _psql(self, args):
        return [self.psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-v",
                "ON_ERROR_STOP=1", "-q"] + args

    def cpu(self):
        """CPU seconds the cluster has used: the postmaster, its exited backends and its live processes."""
        with open(os.path.join(self.dir, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        total = process_cpu(postmaster, with_reaped_children=True)
        for child in children(postmaster):
            try:
                total += process_cpu(child)
            except OSError:
                pass  # exited since it was listed: its time is the postmaster's now
        return total

    def sql(self, text):
        run(self._psql(["-c", text]))

    def bench(self, script_text, clients, seconds, work, name):
        script = os.path.join(work, f"{name}.sql")
        with open(script, "w") as f:
            f.write(script_text)
        logdir = os.path.join(work, f"log-{name}")
        os.makedirs(logdir)
        out = run([self.pgbench, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-n", "-M", "prepared",
                   "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), "-f", script,
                   "-l", "--log-prefix", os.path.join(logdir, "tx"), "postgres"])
        m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
        if not m:
            raise SystemExit("pgbench printed no tps:\n" + out)
        latencies = []
        for path in glob.glob(os.path.join(logdir, "tx*")):
            with open(path) as f:
                latencies.extend(int(line.split()[2]) for line in f if line.strip())
        latencies.sort()
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000
        return {"rate": float(m.group(1)), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "n": len(latencies)}

    def stop(self):
        if getattr(self, "proc", None):
            self.proc.terminate()
            self.proc.wait(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--dbx", default=os.path.join(os.path.dirname(__file__), "..", "runtime", "target", "dbx",
                                                      "bin", "dbx"))
    parser.add_argument("--dbx-only", action="store_true", help="skip PostgreSQL (for quick comparisons)")
    parser.add_argument("--server-jvm-options", default="",
                        help="JAVA_TOOL_OPTIONS for the server only, e.g. a JFR recording to profile one phase")
    args = parser.parse_args()
    need("wrk", "apt-get install wrk")
    work = tempfile.mkdtemp(prefix="dbx-rest-bench-")
    data, env, base, url = dbx_server(args.dbx, work)
    pg = Postgres(work)
    results = {}
    try:
        start_server(base, env, url, args.server_jvm_options)
        token = server_token(base, env, "wrk")
        limited = server_token(base, env, "limited", "--limit", "1000000000")

        def script(template, name, aggregates, threads=2, bearer=None):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                f.write(template.replace("TOKEN", bearer or token).replace("PAYLOAD", PAYLOAD_JSON.replace("\\", "\\\\"))
                        .replace("AGGREGATES", str(aggregates)).replace("THREADS", str(threads)))
            return path

        post64 = script(POST_LUA, "post64.lua", 1024)
        post64limited = script(POST_LUA, "post64limited.lua", 1024, bearer=limited)
        post1 = script(POST_LUA, "post1.lua", 1)
        get64 = script(GET_LUA, "get64.lua", 1024)
        health64 = script(HEALTH_LUA, "health64.lua", 1)
        health64auth = script(HEALTH_AUTH_LUA, "health64auth.lua", 1)
        # Warm-up: the JIT needs ~20 s of this load before the server reaches steady state (C2 used a quarter of
        # the CPU for the first 15 s); it also creates the aggregates the GET run reads.
        wrk(url, post64, 64, 30, 2)
        wrk(url, get64, 64, 10, 2)
        server = server_pid(data)
        server_cpu = lambda: process_cpu(server)
        results["dbx_post64"] = with_cpu(server_cpu, lambda: wrk(url, post64, 64, args.seconds, 2))
        # a token with a write limit pays each append inside the group commit: against unlimited, same run
        results["dbx_post64_limited"] = with_cpu(server_cpu, lambda: wrk(url, post64limited, 64, args.seconds, 2))
        results["dbx_post1"] = with_cpu(server_cpu, lambda: wrk(url, post1, 1, args.seconds, 1))
        results["dbx_get64"] = with_cpu(server_cpu, lambda: wrk(url, get64, 64, args.seconds, 2))
        results["dbx_health64"] = with_cpu(server_cpu, lambda: wrk(url, health64, 64, args.seconds, 2))
        results["dbx_health64auth"] = with_cpu(server_cpu, lambda: wrk(url, health64auth, 64, args.seconds, 2))
        run(base + ["stop"], env=env)

        if args.dbx_only:
            for name, r in results.items():
                print(f"{name}: {r['rate']:,.0f}/s p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms, CPU per request: "
                      f"server {r['server_us']:.1f} us, wrk {r['client_us']:.1f} us")
            return
        pg.start()
        pg.sql("CREATE TABLE events (stream text NOT NULL, version bigint NOT NULL, event_type text NOT NULL, "
               "data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stream, version))")
        payload_sql = PAYLOAD_JSON.replace("'", "''")
        insert = ("INSERT INTO events (stream, version, event_type, data) SELECT 's-' || :client_id, "
                  "coalesce(max(version), 0) + 1, 'seen', '" + payload_sql + "'::jsonb "
                  "FROM events WHERE stream = 's-' || :client_id;\n")
        pg.bench(insert, 64, 2, work, "warmup")
        results["pg_insert64"] = with_cpu(pg.cpu, lambda: pg.bench(insert, 64, args.seconds, work, "insert64"))
        results["pg_insert1"] = with_cpu(pg.cpu, lambda: pg.bench(insert, 1, args.seconds, work, "insert1"))
        read = ("\\set c random(0, 63)\nSELECT data FROM events WHERE stream = 's-' || :c "
                "ORDER BY version DESC LIMIT 1;\n")
        results["pg_read64"] = with_cpu(pg.cpu, lambda: pg.bench(read, 64, args.seconds, work, "read64"))
    finally:
        subprocess.run(base + ["stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    r = results
    fmt = lambda x: f"{x['rate']:,.0f}/s"
    print(f"Payload {len(PAYLOAD_JSON)} bytes of JSON; {args.seconds} s per measurement; "
          f"wrk and pgbench on the same 2 cores as the servers.\n")
    print("| measurement | EventDBX REST | p50 / p99 ms | PostgreSQL (same run) | p50 / p99 ms | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    print(f"| durable appends, 64 clients | {fmt(r['dbx_post64'])} | {r['dbx_post64']['p50_ms']:.2f} / "
          f"{r['dbx_post64']['p99_ms']:.2f} | {fmt(r['pg_insert64'])} | {r['pg_insert64']['p50_ms']:.2f} / "
          f"{r['pg_insert64']['p99_ms']:.2f} | {r['dbx_post64']['rate'] / r['pg_insert64']['rate']:.2f}x | "
          f">= 20 k/s and >= 1.5x |")
    print(f"| durable appends, 64 clients, write-limited token | {fmt(r['dbx_post64_limited'])} | "
          f"{r['dbx_post64_limited']['p50_ms']:.2f} / {r['dbx_post64_limited']['p99_ms']:.2f} | "
          f"(unlimited token, same run: {fmt(r['dbx_post64'])}) | | "
          f"{r['dbx_post64_limited']['rate'] / r['dbx_post64']['rate']:.2f}x | >= 0.9x of unlimited |")
    print(f"| durable appends, 1 sequential client | {fmt(r['dbx_post1'])} | {r['dbx_post1']['p50_ms']:.2f} / "
          f"{r['dbx_post1']['p99_ms']:.2f} | {fmt(r['pg_insert1'])} | {r['pg_insert1']['p50_ms']:.2f} / "
          f"{r['pg_insert1']['p99_ms']:.2f} | {r['dbx_post1']['rate'] / r['pg_insert1']['rate']:.2f}x | "
          f"p50 <= 0.5 ms |")
    print(f"| current state GET / latest event SELECT, 64 clients | {fmt(r['dbx_get64'])} | "
          f"{r['dbx_get64']['p50_ms']:.2f} / {r['dbx_get64']['p99_ms']:.2f} | {fmt(r['pg_read64'])} | "
          f"{r['pg_read64']['p50_ms']:.2f} / {r['pg_read64']['p99_ms']:.2f} | "
          f"{r['dbx_get64']['rate'] / r['pg_read64']['rate']:.2f}x | >= 30 k/s |")
    print(f"| current state GET / GET /health on the same listener (the stack's ceiling), 64 clients | "
          f"{fmt(r['dbx_get64'])} | | {fmt(r['dbx_health64'])} | {r['dbx_health64']['p50_ms']:.2f} / "
          f"{r['dbx_health64']['p99_ms']:.2f} | {r['dbx_get64']['rate'] / r['dbx_health64']['rate']:.2f}x | >= 0.9x |")
    print(f"| current state GET / GET /health with the same Authorization header (same request size), 64 clients | "
          f"{fmt(r['dbx_get64'])} | | {fmt(r['dbx_health64auth'])} | {r['dbx_health64auth']['p50_ms']:.2f} / "
          f"{r['dbx_health64auth']['p99_ms']:.2f} | {r['dbx_get64']['rate'] / r['dbx_health64auth']['rate']:.2f}x | "
          f">= 0.9x |")
    print("\nCPU per request in microseconds (user + system), server and load generator, from the same runs:\n")
    print("| measurement | EventDBX server | wrk | total | baseline server | its load generator | total | baseline total / EventDBX total |")
    print("|---|---|---|---|---|---|---|---|")
    for label, ours, theirs in [("durable appends, 64 clients", "dbx_post64", "pg_insert64"),
                                ("durable appends, 1 sequential client", "dbx_post1", "pg_insert1"),
                                ("current state GET / latest event SELECT, 64 clients", "dbx_get64", "pg_read64"),
                                ("current state GET / GET /health, 64 clients", "dbx_get64", "dbx_health64"),
                                ("current state GET / GET /health with the token's header, 64 clients", "dbx_get64",
                                 "dbx_health64auth")]:
        a, b = r[ours], r[theirs]
        total_a, total_b = a["server_us"] + a["client_us"], b["server_us"] + b["client_us"]
        print(f"| {label} | {a['server_us']:.1f} | {a['client_us']:.1f} | {total_a:.1f} | {b['server_us']:.1f} | "
              f"{b['client_us']:.1f} | {total_b:.1f} | {total_b / total_a:.2f}x |")


if __name__ == "__main__":
    main()
