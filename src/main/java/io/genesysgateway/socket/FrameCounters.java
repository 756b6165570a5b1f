package io.genesysgateway.socket;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Socket frames by kind (heartbeat, pong, acw, socket_closing, unrecognised, malformed ...), and which
 * unrecognised topics were already logged, so an unexpected topic is logged once, not once per frame.
 */
public class FrameCounters {

    private static final int MAX_REMEMBERED_TOPICS = 10_000;

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Set<String> loggedTopics = ConcurrentHashMap.newKeySet();

    public void count(String kind) {
        counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** True the first time a topic is seen (the caller logs it then). */
    public boolean firstTimeFor(String topic) {
        return loggedTopics.size() < MAX_REMEMBERED_TOPICS && loggedTopics.add(String.valueOf(topic));
    }

    public long get(String kind) {
        AtomicLong n = counts.get(kind);
        return n == null ? 0 : n.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
