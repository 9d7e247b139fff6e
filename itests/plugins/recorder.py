"""A process plugin written outside the JVM, for the itests: speaks plugin.capnp with pycapnp.

Connects to EVENTDBX_PLUGIN_ADDR, proves EVENTDBX_PLUGIN_TOKEN in a Hello, then for each Batch appends every
event's JSON as a line to the file named by its first argument and answers an Ack. While a file named
<that file>.fail exists it answers "retry" with the file's text as the reason instead (so failures reach the queue).
"""
import os
import socket
import sys

import capnp  # pycapnp

here = os.path.dirname(os.path.abspath(__file__))
schema = capnp.load(os.path.join(here, "plugin.capnp"))
output = sys.argv[1]
host, port = os.environ["EVENTDBX_PLUGIN_ADDR"].rsplit(":", 1)
conn = socket.create_connection((host, int(port)))
schema.Hello.new_message(token=os.environ["EVENTDBX_PLUGIN_TOKEN"], name=os.environ["EVENTDBX_PLUGIN_NAME"]).write(conn)
print("recorder.py: connected as %s, pid %d" % (os.environ["EVENTDBX_PLUGIN_NAME"], os.getpid()), flush=True)
while True:
    try:
        batch = schema.Batch.read(conn, traversal_limit_in_words=2**40)
    except Exception as e:  # the server closed the connection
        print("recorder.py: connection ended: %s" % e, file=sys.stderr, flush=True)
        sys.exit(0)
    flag = output + ".fail"
    if os.path.exists(flag):
        with open(flag) as f:
            reason = f.read().strip()
        schema.Ack.new_message(delivered=0, outcome=1, retryAfterMillis=200, reason=reason).write(conn)
        continue
    with open(output, "a") as out:
        for event in batch.events:
            out.write(event.json + "\n")
    schema.Ack.new_message(delivered=len(batch.events), outcome=0).write(conn)
