package io.genesysgateway.history;

/**
 * Whether Communication History is taking records. Two views of the same attempts:
 * <ul>
 * <li>readiness: failed attempts in a row since the last success; DOWN once they reach the threshold, UP again
 * with the next delivered record;</li>
 * <li>down: history itself failed ({@link #DOWN_AFTER} 5xx, 408, 429 or no answer in a row). While it is down
 * the outbox only probes it, one record at a time; the first success after that ends the outage.</li>
 * </ul>
 */
public class DeliveryHealth {

    /**
     * Unavailable answers in a row that mean history is down. One record failing between successes is that
     * record's trouble (its back-off handles it); a few in a row with nothing delivered between is history.
     */
    static final int DOWN_AFTER = 3;

    private int failureThreshold = 5;
    private int consecutiveFailures;
    private int unavailableInARow;
    private boolean down;
    private String lastFailure;

    /**
     * A record was delivered. True when history had been down: the caller makes every waiting record due now.
     */
    public synchronized boolean delivered() {
        boolean wasDown = down;
        consecutiveFailures = 0;
        unavailableInARow = 0;
        down = false;
        lastFailure = null;
        return wasDown;
    }

    /** An attempt failed (or was not made: breaker open). True when this failure showed history is down. */
    public synchronized boolean failed(Throwable failure) {
        consecutiveFailures++;
        lastFailure = failure == null ? "unknown failure" : DeliveryFailure.describe(failure);
        boolean wasDown = down;
        switch (DeliveryFailure.kindOf(failure)) {
            case "unavailable" -> down = ++unavailableInARow >= DOWN_AFTER;
            // history answered: it is up, it refused this record
            case "rejected" -> {
                unavailableInARow = 0;
                down = false;
            }
            // an open breaker did not ask history: nothing learnt about it
            default -> {
            }
        }
        return down && !wasDown;
    }

    /** True while history is down: only probes are sent. */
    public synchronized boolean isDown() {
        return down;
    }

    public synchronized boolean isFailing() {
        return consecutiveFailures >= failureThreshold;
    }

    public synchronized String describe() {
        return consecutiveFailures + " history deliveries failed in a row, last: " + lastFailure;
    }

    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = failureThreshold;
    }
}
