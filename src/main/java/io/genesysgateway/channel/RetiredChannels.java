package io.genesysgateway.channel;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Channels the gateway stopped using (no topics left, moved, a socket that never opened) that Genesys may still
 * count against the OAuth client's 20. A 21st channel evicts the least recently used, unconnected first: while one
 * of these still exists, a new channel evicts it and no live one.
 */
public class RetiredChannels {

    private final Map<String, Instant> retired = new LinkedHashMap<>();
    private long channelLifetimeSeconds = 86_400;
    private Clock clock = Clock.systemUTC();

    public synchronized void add(String channelId) {
        retired.put(channelId, clock.instant());
    }

    /** Those that may still exist at Genesys: one retired longer than a channel's lifetime ago has expired. */
    public synchronized List<String> candidates() {
        Instant forgotten = clock.instant().minusSeconds(channelLifetimeSeconds);
        retired.values().removeIf(at -> at.isBefore(forgotten));
        return List.copyOf(retired.keySet());
    }

    /** Genesys no longer has it. */
    public synchronized void forget(String channelId) {
        retired.remove(channelId);
    }

    public void setChannelLifetimeSeconds(long channelLifetimeSeconds) {
        this.channelLifetimeSeconds = channelLifetimeSeconds;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }
}
