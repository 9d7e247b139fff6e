package io.eventdbx.emitter.dispatch.internal;

/**
 * How the dispatcher retries: a failed delivery is tried again after {@code base × 2^(attempts-1)}, at most {@code
 * max}, each delay shortened by up to half at random (jitter, so that instances that failed together do not retry
 * together); after {@code maxAttempts} attempts the event is dead.
 *
 * @param maxAttempts attempts before an event is dead ({@code plugin_max_attempts})
 * @param baseDelayMillis the first retry's delay
 * @param maxDelayMillis the longest delay
 */
record Settings(int maxAttempts, long baseDelayMillis, long maxDelayMillis) {

    static final long DEFAULT_BASE_DELAY_MILLIS = 1_000;
    /**
     * Five minutes: with the first delay of a second and up to half taken off by jitter, ten attempts (the default
     * {@code plugin_max_attempts}) span at least four minutes, so a receiver that is down for a couple of minutes
     * loses nothing; when it is back, the next success makes every waiting event due at once.
     */
    static final long DEFAULT_MAX_DELAY_MILLIS = 300_000;

    long delayMillis(int attempts, double random) {
        long delay = baseDelayMillis;
        for (int i = 1; i < attempts && delay < maxDelayMillis; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxDelayMillis);
        return delay - (long) (delay * 0.5 * random);
    }
}
