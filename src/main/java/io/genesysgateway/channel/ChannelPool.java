package io.genesysgateway.channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import io.genesysgateway.socket.ChannelSockets;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's notification channels and the ACW topics each carries. A topic goes on the first channel
 * with room (at most {@code maxTopicsPerChannel}); a channel is created only when all are full, and never
 * beyond {@code maxChannels} (Genesys would silently evict a live one); a channel left without topics is
 * retired. A lost socket is replaced here, one channel at a time, with back-off: the same channel when
 * Genesys still has it ({@code HEAD}), otherwise a new channel carrying the same topics.
 */
public class ChannelPool implements ChannelSockets.Listener, Service {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelPool.class);
    public static final String TOPIC_PREFIX = "v2.detail.events.conversation.";
    public static final String TOPIC_SUFFIX = ".acw";

    private GenesysApi api;
    private ChannelSockets sockets;
    private int maxTopicsPerChannel = 1_000;
    private int maxChannels = 20;
    private long reconnectInitialDelayMillis = 500;
    private long reconnectMaxDelayMillis = 30_000;

    private final Map<String, PooledChannel> channels = new LinkedHashMap<>();
    private final Map<String, PooledChannel> channelOfTopic = new LinkedHashMap<>();
    private final List<GapWindow> gaps = new ArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong capacityRejections = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private long channelLifetimeSeconds = 86_400;
    private long renewBeforeSeconds = 3_600;
    private ScheduledExecutorService keeper;

    /** A window in which a channel had no open socket, so Genesys dropped its events. */
    public record GapWindow(String channelId, Instant from, Instant to, String why) {
    }

    private static final class PooledChannel {
        String id;
        String connectUri;
        final Set<String> topics = new LinkedHashSet<>();
        int failedReconnects;
        Instant lostAt;
        String lostWhy;
        Instant expires;

        PooledChannel(String id, String connectUri, Instant expires) {
            this.id = id;
            this.connectUri = connectUri;
            this.expires = expires;
        }
    }

    public static String topicOf(String conversationId) {
        return TOPIC_PREFIX + conversationId + TOPIC_SUFFIX;
    }

    /**
     * Puts the conversation's ACW topic on a channel whose socket is open.
     *
     * @return the channel id
     */
    public synchronized String subscribe(String conversationId) {
        String topic = topicOf(conversationId);
        PooledChannel existing = channelOfTopic.get(topic);
        if (existing != null) {
            return existing.id;
        }
        PooledChannel channel = channels.values().stream()
                .filter(c -> c.topics.size() < maxTopicsPerChannel && c.lostAt == null).findFirst()
                .orElseGet(this::newChannel);
        List<String> rejected = api.addSubscriptions(channel.id, List.of(topic));
        if (rejected.contains(topic)) {
            retireIfEmpty(channel);
            throw new GenesysApiException("subscribe", 403, "missing.any.permissions",
                    "Genesys rejected topic " + topic + " (the OAuth client lacks a permission)", null, 0);
        }
        channel.topics.add(topic);
        channel.expires = extended();
        channelOfTopic.put(topic, channel);
        return channel.id;
    }

    /** Takes the conversation's topic off its channel; a channel left empty is retired. */
    public synchronized void unsubscribe(String conversationId) {
        String topic = topicOf(conversationId);
        PooledChannel channel = channelOfTopic.remove(topic);
        if (channel == null) {
            return;
        }
        channel.topics.remove(topic);
        if (!retireIfEmpty(channel)) {
            api.replaceSubscriptions(channel.id, channel.topics);
            channel.expires = extended();
        }
    }

    /**
     * Channels live 24 h and every subscription write extends them. A channel whose expiry comes within
     * {@code renewBeforeSeconds} gets its topics written again, so no socket dies of old age.
     */
    public synchronized void renewExpiring() {
        Instant due = Instant.now().plusSeconds(renewBeforeSeconds);
        for (PooledChannel channel : List.copyOf(channels.values())) {
            if (channel.lostAt == null && !channel.topics.isEmpty() && channel.expires.isBefore(due)) {
                try {
                    api.replaceSubscriptions(channel.id, channel.topics);
                    channel.expires = extended();
                    renewals.incrementAndGet();
                    LOG.info("Channel {} renewed until {}", channel.id, channel.expires);
                } catch (GenesysApiException e) {
                    LOG.warn("Channel {} could not be renewed (retrying): {}", channel.id, e.getMessage());
                }
            }
        }
    }

    private Instant extended() {
        return Instant.now().plusSeconds(channelLifetimeSeconds);
    }

    private Instant expiresOf(GenesysApi.Channel created) {
        return created.expires() != null ? created.expires() : extended();
    }

    private PooledChannel newChannel() {
        long live = channels.values().stream().filter(c -> c.lostAt == null).count();
        if (channels.size() >= maxChannels) {
            capacityRejections.incrementAndGet();
            throw new ChannelCapacityException(maxChannels, maxTopicsPerChannel);
        }
        GenesysApi.Channel created = api.createChannel();
        PooledChannel channel = new PooledChannel(created.id(), created.connectUri(), expiresOf(created));
        if (!sockets.open(channel.id, channel.connectUri)) {
            throw new GenesysApiException("open socket", "the socket to new channel " + channel.id + " did not open", null);
        }
        channels.put(channel.id, channel);
        LOG.info("Channel {} created ({} channels, {} open before)", channel.id, channels.size(), live);
        return channel;
    }

    private boolean retireIfEmpty(PooledChannel channel) {
        if (!channel.topics.isEmpty()) {
            return false;
        }
        channels.remove(channel.id);
        sockets.close(channel.id);
        try {
            api.replaceSubscriptions(channel.id, List.of());
        } catch (GenesysApiException e) {
            LOG.debug("Retired channel {} could not be emptied: {}", channel.id, e.getMessage());
        }
        LOG.info("Channel {} retired: no topics left", channel.id);
        return true;
    }

    // ------------------------------------------------------------------ socket loss and maintenance

    @Override
    public void socketLost(String channelId, String why) {
        synchronized (this) {
            PooledChannel channel = channels.get(channelId);
            if (channel == null || channel.lostAt != null) {
                return;
            }
            channel.lostAt = Instant.now();
            channel.lostWhy = why;
        }
        schedule(channelId, 0);
    }

    /**
     * {@code v2.system.socket_closing}: Genesys will close this socket within a minute. A new socket on the same
     * channel is opened while the old one still delivers (make before break); Genesys moves the channel to it.
     */
    public void socketClosing(String channelId) {
        keeper.execute(() -> {
            PooledChannel channel;
            synchronized (this) {
                channel = channels.get(channelId);
            }
            if (channel == null) {
                return;
            }
            LOG.info("Genesys announced maintenance for channel {}: moving to a new socket", channelId);
            if (!sockets.open(channelId, channel.connectUri)) {
                socketLost(channelId, "replacement socket did not open after socket_closing");
            }
        });
    }

    private void schedule(String channelId, long delayMillis) {
        keeper.schedule(() -> reconnect(channelId), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void reconnect(String channelId) {
        PooledChannel channel;
        synchronized (this) {
            channel = channels.get(channelId);
            if (channel == null || channel.lostAt == null) {
                return;
            }
        }
        reconnects.incrementAndGet();
        try {
            boolean ok;
            if (api.channelExists(channelId)) {
                ok = sockets.open(channelId, channel.connectUri);
                if (ok) {
                    // the channel may have lost its subscriptions (no_longer_subscribed): put them back
                    List<String> topics;
                    synchronized (this) {
                        topics = List.copyOf(channel.topics);
                    }
                    api.replaceSubscriptions(channelId, topics);
                    channel.expires = extended();
                }
            } else {
                ok = moveToNewChannel(channel);
            }
            if (ok) {
                synchronized (this) {
                    gaps.add(new GapWindow(channel.id, channel.lostAt, Instant.now(), channel.lostWhy));
                    LOG.info("Channel {} has a socket again after {} ms without one", channel.id,
                            Instant.now().toEpochMilli() - channel.lostAt.toEpochMilli());
                    channel.lostAt = null;
                    channel.failedReconnects = 0;
                }
                return;
            }
        } catch (GenesysApiException e) {
            LOG.warn("Reconnecting channel {} failed: {}", channelId, e.getMessage());
        }
        channel.failedReconnects++;
        long delay = Math.min(reconnectMaxDelayMillis,
                reconnectInitialDelayMillis * (1L << Math.min(16, channel.failedReconnects)));
        schedule(channel.id, delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
    }

    /** The channel is gone (expired or evicted): a new one takes its topics; its socket opens first. */
    private boolean moveToNewChannel(PooledChannel channel) {
        String oldId = channel.id;
        GenesysApi.Channel created = api.createChannel();
        if (!sockets.open(created.id(), created.connectUri())) {
            return false;
        }
        List<String> topics;
        synchronized (this) {
            topics = List.copyOf(channel.topics);
        }
        if (!topics.isEmpty()) {
            api.replaceSubscriptions(created.id(), topics);
        }
        synchronized (this) {
            sockets.close(oldId);
            channels.remove(oldId);
            channel.id = created.id();
            channel.connectUri = created.connectUri();
            channel.expires = topics.isEmpty() ? expiresOf(created) : extended();
            channels.put(channel.id, channel);
        }
        LOG.info("Channel {} is gone; its {} topics moved to new channel {}", oldId, topics.size(), created.id());
        return true;
    }

    // ------------------------------------------------------------------ status

    public synchronized List<Map<String, Object>> describeChannels() {
        List<Map<String, Object>> out = new ArrayList<>();
        channels.values().forEach(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id);
            m.put("topics", c.topics.size());
            m.put("expires", c.expires.toString());
            m.putAll(sockets.describe(c.id));
            if (c.lostAt != null) {
                m.put("socketLostAt", c.lostAt.toString());
            }
            out.add(m);
        });
        return out;
    }

    public synchronized List<GapWindow> gaps() {
        return List.copyOf(gaps);
    }

    public synchronized int channelCount() {
        return channels.size();
    }

    public synchronized int maxTopicsOnAChannel() {
        return channels.values().stream().mapToInt(c -> c.topics.size()).max().orElse(0);
    }

    public synchronized int topicCount() {
        return channelOfTopic.size();
    }

    /** Channels carrying topics with no open socket: events for them are being lost right now. */
    public synchronized long channelsWithoutSocket() {
        return channels.values().stream().filter(c -> !c.topics.isEmpty() && !sockets.isOpen(c.id)).count();
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

    // ------------------------------------------------------------------ lifecycle and settings

    @Override
    public synchronized void start() {
        if (keeper != null) {
            return; // Camel starts registry services more than once
        }
        sockets.setListener(this);
        keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "channel-keeper");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void stop() {
        if (keeper != null) {
            keeper.shutdownNow();
        }
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setMaxTopicsPerChannel(int maxTopicsPerChannel) {
        this.maxTopicsPerChannel = Math.min(1_000, maxTopicsPerChannel);
    }

    public void setMaxChannels(int maxChannels) {
        this.maxChannels = Math.min(20, maxChannels);
    }

    public void setReconnectInitialDelayMillis(long reconnectInitialDelayMillis) {
        this.reconnectInitialDelayMillis = reconnectInitialDelayMillis;
    }

    public void setChannelLifetimeSeconds(long channelLifetimeSeconds) {
        this.channelLifetimeSeconds = channelLifetimeSeconds;
    }

    public void setRenewBeforeSeconds(long renewBeforeSeconds) {
        this.renewBeforeSeconds = renewBeforeSeconds;
    }

    public void setReconnectMaxDelayMillis(long reconnectMaxDelayMillis) {
        this.reconnectMaxDelayMillis = reconnectMaxDelayMillis;
    }
}
