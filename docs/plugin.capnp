@0xd4a0f3c2b1e5a6f7;
# The EventDBX process plugin protocol (docs/plugins.md). A process plugin is started by the server with
#   EVENTDBX_PLUGIN_ADDR   host:port of a loopback TCP listener that waits for it (one connection)
#   EVENTDBX_PLUGIN_TOKEN  a one-time secret it proves it was started by the server with
#   EVENTDBX_PLUGIN_NAME   the plugin instance's name
# It connects, sends one Hello, then for every Batch it reads answers one Ack, in order. Messages use Cap'n
# Proto's standard stream framing (a segment table, then the segments). Its stdout and stderr go to the server log.

struct Hello {
  token @0 :Text;        # EVENTDBX_PLUGIN_TOKEN, exactly
  name @1 :Text;         # EVENTDBX_PLUGIN_NAME
}

struct Event {
  position @0 :UInt64;   # position in the global log
  aggregateType @1 :Text;
  aggregateId @2 :Text;
  eventType @3 :Text;
  eventId @4 :Text;      # drop duplicates by it: delivery is at least once
  version @5 :UInt64;
  json @6 :Text;         # the EventRecord JSON, as the tcp and http emitters send it
}

struct Batch {
  events @0 :List(Event);   # one or more, in order; events of one aggregate in version order
}

struct Ack {
  retryAfterMillis @0 :UInt64;  # with outcome 1: wait at least this long (0: the server's backoff)
  delivered @1 :UInt32;         # how many events of the batch, from the first, were handled
  outcome @2 :UInt32;           # for the event after those: 0 nothing failed, 1 retry it later, 2 it failed for good
  reason @3 :Text;              # why, when outcome is 1 or 2 (kept in the queue, at most 256 characters)
}
