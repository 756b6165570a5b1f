package io.genesysgateway.history;

/**
 * Whether Communication History is taking records: failed attempts in a row since the last success. Readiness
 * turns DOWN once they reach the threshold, and UP again with the next delivered record.
 */
public class DeliveryHealth {

    private int failureThreshold = 5;
    private int consecutiveFailures;
    private String lastFailure;

    public synchronized void delivered() {
        consecutiveFailures = 0;
        lastFailure = null;
    }

    public synchronized void failed(String why) {
        consecutiveFailures++;
        lastFailure = why;
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
