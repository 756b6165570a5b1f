package io.genesysgateway.history;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What follows a failed delivery attempt. History unavailable (5xx, 408, 429, no answer) is retried after a growing
 * back-off until the record is older than the age limit; refused (another 4xx) is a dead letter at once; an open
 * breaker asked nothing, so the record waits for it to close without counting an attempt.
 */
public final class RetryPolicy {

    /** The decision: a dead letter now, or the next attempt at {@code nextAttemptAt}; with what to record. */
    record Decision(boolean deadLetter, boolean attempted, int attempts, Instant nextAttemptAt, String error, String kind) {
    }

    private long backoffMillis = 1000;
    private long maxBackoffMillis = 300_000;
    private Duration maxAge = Duration.ofHours(1);
    private Duration breakerOpen = Duration.ofSeconds(2);

    Decision after(DeliveryRepository.Attempt record, Throwable failure, Instant now) {
        String kind = DeliveryFailure.kindOf(failure);
        boolean attempted = !DeliveryFailure.BREAKER.equals(kind);
        // an open breaker asked nothing: what history last answered is the better reason
        String error = attempted || record.lastError() == null ? DeliveryFailure.describe(failure) : record.lastError();
        int made = attempted ? record.attempts() + 1 : record.attempts();
        boolean rejected = DeliveryFailure.REJECTED.equals(kind);
        if (rejected || tooOld(record.queuedAt(), now)) {
            return new Decision(true, attempted, made, null, clip(rejected ? error : error + tooOldNote()),
                    rejected ? DeliveryFailure.REJECTED : DeliveryFailure.UNAVAILABLE);
        }
        // while history is down the back-off only orders the probes; its first success makes the record due
        Instant next = attempted ? now.plusMillis(backoff(made)) : now.plus(breakerOpen);
        return new Decision(false, attempted, made, next, clip(error), attempted ? DeliveryFailure.UNAVAILABLE : DeliveryFailure.BREAKER);
    }

    /** Records queued before this waited too long. */
    Instant oldestAllowed(Instant now) {
        return now.minus(maxAge);
    }

    /** The reason of a record given up after waiting too long. */
    String expired(String lastError) {
        return clip((lastError == null ? "history unavailable" : lastError) + tooOldNote());
    }

    private boolean tooOld(Instant queuedAt, Instant now) {
        return queuedAt.plus(maxAge).isBefore(now);
    }

    private String tooOldNote() {
        long s = maxAge.toSeconds();
        return " (undelivered for longer than " + (s % 60 == 0 ? s / 60 + " min" : s + " s") + ")";
    }

    private long backoff(int attemptsMade) {
        long delay = Math.min(maxBackoffMillis, backoffMillis * (1L << Math.min(20, attemptsMade - 1)));
        // jitter: records that failed together do not all come back together
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    }

    /** The column holds 2,000 characters. */
    private static String clip(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    void setBackoffMillis(long backoffMillis) {
        this.backoffMillis = backoffMillis;
    }

    void setMaxBackoffMillis(long maxBackoffMillis) {
        this.maxBackoffMillis = maxBackoffMillis;
    }

    void setMaxAge(Duration maxAge) {
        this.maxAge = maxAge;
    }

    void setBreakerOpen(Duration breakerOpen) {
        this.breakerOpen = breakerOpen;
    }
}
