package io.eventdbx.emitter.api;

import java.time.Duration;
import java.util.Objects;

/**
 * An emitter's answer for a batch of envelopes: how many of them, from the first, it delivered, and what became of
 * the next one. Envelopes after the one that failed were not attempted; the dispatcher offers them again.
 *
 * @param outcome what happened to the envelope after the delivered ones ({@link Outcome#DELIVERED}: nothing
 *     failed)
 * @param delivered how many envelopes, from the first, reached the receiver
 * @param retryAfter for {@link Outcome#RETRY}: the delay the receiver asked for, or null for the dispatcher's
 *     backoff
 * @param reason for a failure: why, for the queue and the log (at most 256 characters are kept; never secrets)
 */
public record Delivery(Outcome outcome, int delivered, Duration retryAfter, String reason) {

    /** What became of an envelope. */
    public enum Outcome {
        /** Every envelope counted in {@code delivered} reached the receiver and nothing failed. */
        DELIVERED,
        /** The envelope after the delivered ones failed for a reason that may pass: try it again later. */
        RETRY,
        /** The envelope after the delivered ones can never be delivered (the receiver refused it): it is dead. */
        FAILED,
        /**
         * The receiver could not be reached (no connection, no answer): nothing was decided about the envelope after
         * the delivered ones, so no attempt is counted; the dispatcher stops taking new events for the instance and
         * probes the receiver with backoff until it answers, then goes on where it stopped.
         */
        UNREACHABLE
    }

    /**
     * Checks the parts.
     *
     * @param outcome the outcome
     * @param delivered at least 0
     * @param retryAfter null or not negative
     * @param reason the reason
     */
    public Delivery {
        Objects.requireNonNull(outcome, "outcome");
        if (delivered < 0) {
            throw new IllegalArgumentException("delivered must be 0 or more");
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
    }

    /**
     * All of a batch reached the receiver.
     *
     * @param count the batch's size
     * @return the delivery
     */
    public static Delivery delivered(int count) {
        return new Delivery(Outcome.DELIVERED, count, null, null);
    }

    /**
     * The first {@code deliveredBefore} envelopes reached the receiver, the next one failed for a reason that may
     * pass.
     *
     * @param deliveredBefore how many reached it first
     * @param retryAfter the delay the receiver asked for, or null for the dispatcher's backoff
     * @param reason why
     * @return the delivery
     */
    public static Delivery retry(int deliveredBefore, Duration retryAfter, String reason) {
        return new Delivery(Outcome.RETRY, deliveredBefore, retryAfter, reason);
    }

    /**
     * The first {@code deliveredBefore} envelopes reached the receiver, then it could not be reached any more (a
     * refused connection, a timeout): not the next envelope's fault, so it costs none of its attempts.
     *
     * @param deliveredBefore how many reached it first
     * @param reason why, for {@code dbx plugin list}
     * @return the delivery
     */
    public static Delivery unreachable(int deliveredBefore, String reason) {
        return new Delivery(Outcome.UNREACHABLE, deliveredBefore, null, reason);
    }

    /**
     * The first {@code deliveredBefore} envelopes reached the receiver, the next one never will.
     *
     * @param deliveredBefore how many reached it first
     * @param reason why
     * @return the delivery
     */
    public static Delivery failed(int deliveredBefore, String reason) {
        return new Delivery(Outcome.FAILED, deliveredBefore, null, reason);
    }
}
