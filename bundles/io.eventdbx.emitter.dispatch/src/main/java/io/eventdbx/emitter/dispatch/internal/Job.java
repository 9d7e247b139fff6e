package io.eventdbx.emitter.dispatch.internal;

/**
 * An event in one instance's queue: waiting for a retry (or behind an earlier event of its aggregate that waits),
 * or dead. Holds a reference to the log, never the payload. Owned by its instance's thread.
 */
final class Job {
    final long position;
    final String eventId;
    final String aggregateType;
    final String aggregateId;
    final long version;
    int attempts;
    long nextAttemptMillis;
    boolean dead;
    String lastError;

    Job(long position, String eventId, String aggregateType, String aggregateId, long version) {
        this.position = position;
        this.eventId = eventId;
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
        this.version = version;
    }

    String aggregateKey() {
        return aggregateType + '\u0000' + aggregateId;
    }
}
