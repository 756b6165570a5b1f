package io.genesysgateway.channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.socket.ChannelSockets;

/**
 * What the channels did and how they stand, for /status, metrics and readiness: the counters the channel classes
 * add to, the gap log, and views over the registry and the sockets.
 */
public class ChannelFigures {

    private ChannelRegistry registry;
    private ChannelSockets sockets;
    private final List<GapWindow> gaps = new ArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong capacityRejections = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong channelsGone = new AtomicLong();
    private volatile String lastChannelGone;

    // ------------------------------------------------------------------ counted by the channel classes

    void reconnectTried() {
        reconnects.incrementAndGet();
    }

    void capacityRejected() {
        capacityRejections.incrementAndGet();
    }

    void renewed() {
        renewals.incrementAndGet();
    }

    void moved() {
        moves.incrementAndGet();
    }

    void channelGone(String note) {
        channelsGone.incrementAndGet();
        lastChannelGone = note;
    }

    synchronized void gap(GapWindow gap) {
        gaps.add(gap);
    }

    // ------------------------------------------------------------------ read by status, metrics, readiness

    public List<Map<String, Object>> describeChannels() {
        List<Map<String, Object>> out = new ArrayList<>();
        registry.channels().forEach(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("topics", c.topicCount());
            m.put("expires", c.expires().toString());
            m.putAll(sockets.describe(c.id()));
            if (c.lostAt() != null) {
                m.put("socketLostAt", c.lostAt().toString());
            }
            out.add(m);
        });
        return out;
    }

    public synchronized List<GapWindow> gaps() {
        return List.copyOf(gaps);
    }

    public int channelCount() {
        return registry.channelCount();
    }

    public int maxTopicsOnAChannel() {
        return registry.maxTopicsOnAChannel();
    }

    public int topicCapacity() {
        return registry.topicCapacity();
    }

    public int topicCount() {
        return registry.topicCount();
    }

    /** Channels carrying topics with no open socket: events for them are being lost right now. */
    public long channelsWithoutSocket() {
        return registry.channels().stream().filter(c -> c.topicCount() > 0 && !sockets.isOpen(c.id())).count();
    }

    /** Why each channel without a socket lost it, for readiness: empty when every channel has one. */
    public List<String> socketLosses() {
        return registry.channels().stream().map(Channel::loss).filter(loss -> loss != null).toList();
    }

    public long reconnects() {
        return reconnects.get();
    }

    public long channelRenewals() {
        return renewals.get();
    }

    public long capacityRejections() {
        return capacityRejections.get();
    }

    /** Channels moved make-before-break (token about to expire, renewal failed). */
    public long channelMoves() {
        return moves.get();
    }

    /** Channels Genesys removed under the gateway (evicted by a 21st channel, expired, closed with a token). */
    public long channelsGone() {
        return channelsGone.get();
    }

    /** The last such removal, or null. */
    public String lastChannelGone() {
        return lastChannelGone;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }
}
