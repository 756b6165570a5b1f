package io.genesysgateway.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Row counts by state, read from the store at most once a second: metrics and status ask for them once per state
 * and per scrape, which is no reason for a query each.
 */
public final class RecentCounts {

    private static final long MAX_AGE_MILLIS = 1000;

    private final List<String> states;
    private final Supplier<Map<String, Long>> query;
    private volatile Map<String, Long> cached;
    private volatile long readAt;

    /** {@code states} come first and count 0 when the query has no row for them. */
    public RecentCounts(List<String> states, Supplier<Map<String, Long>> query) {
        this.states = List.copyOf(states);
        this.query = query;
    }

    public Map<String, Long> get() {
        Map<String, Long> counts = cached;
        if (counts != null && System.currentTimeMillis() - readAt < MAX_AGE_MILLIS) {
            return counts;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        states.forEach(s -> out.put(s, 0L));
        out.putAll(query.get());
        cached = out;
        readAt = System.currentTimeMillis();
        return out;
    }

    /** The counts changed in a way that must show at once (a dead letter): read again next time. */
    public void invalidate() {
        cached = null;
    }
}
