package io.eventdbx.api;

/**
 * An event queued by {@link EventStore#stage} until {@link EventStore#commitStaged}.
 *
 * @param sequence its place in the queue, increasing
 * @param request the event, its payload in canonical form
 */
public record StagedEvent(long sequence, AppendRequest request) {}
