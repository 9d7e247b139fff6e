package io.eventdbx.store.api;

/**
 * One stored entry.
 *
 * @param key the key
 * @param value the value
 */
public record KeyValue(byte[] key, byte[] value) {}
