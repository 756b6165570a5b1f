package io.genesysgateway.socket;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Socket frames by kind (heartbeat, pong, acw, acw_untracked, socket_closing, unrecognised, malformed ...), which
 * unrecognised topics (and causes of malformed frames) were already logged, so an unexpected topic is logged once,
 * not once per frame, and for which untracked conversations an ACW was logged.
 */
public class FrameCounters {

    private static final int MAX_REMEMBERED_TOPICS = 10_000;

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Set<String> loggedTopics = ConcurrentHashMap.newKeySet();
    /** The most recent untracked conversations logged: bounded, so a flood of them cannot fill the memory. */
    private final Map<String, Boolean> loggedUntracked = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_REMEMBERED_TOPICS;
        }
    };

    public void count(String kind) {
        counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** True the first time a topic is seen (the caller logs it then). */
    public boolean firstTimeFor(String topic) {
        return loggedTopics.size() < MAX_REMEMBERED_TOPICS && loggedTopics.add(String.valueOf(topic));
    }

    /**
     * True the first time an ACW arrives for this conversation that is not tracked (the caller logs it then); of
     * the last 10,000 such conversations, each is logged once.
     */
    public boolean firstUntracked(String conversationId) {
        synchronized (loggedUntracked) {
            return loggedUntracked.put(String.valueOf(conversationId), Boolean.TRUE) == null;
        }
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
