package io.genesysgateway.genesys;

/**
 * Paces Genesys Platform calls under the per-token limit (about 300 requests per minute). A token bucket: a
 * burst of up to a sixth of the minute's budget, refilled so that no 60-second window holds more than
 * {@code perMinute} calls. A caller that finds the bucket empty waits for the next permit.
 */
public class RequestBudget {

    private final double capacity;
    private final double refillPerMilli;
    private double permits;
    private long last = System.nanoTime();

    public RequestBudget(int perMinute) {
        int limit = Math.max(1, perMinute);
        this.capacity = Math.max(1, limit / 6);
        this.refillPerMilli = (limit - capacity) / 60_000.0;
        this.permits = capacity;
    }

    /** Takes one permit, waiting as long as needed. */
    public void acquire() throws InterruptedException {
        long sleep;
        synchronized (this) {
            refill();
            permits -= 1;
            if (permits >= 0) {
                return;
            }
            sleep = (long) Math.ceil(-permits / refillPerMilli);
        }
        Thread.sleep(sleep);
    }

    private void refill() {
        long now = System.nanoTime();
        permits = Math.min(capacity, permits + (now - last) / 1_000_000.0 * refillPerMilli);
        last = now;
    }
}
