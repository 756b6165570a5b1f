package io.genesysgateway.channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import io.genesysgateway.socket.ChannelSockets;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's notification channels and the ACW topics each carries. A topic goes on the first channel
 * with room (at most {@code maxTopicsPerChannel}); a channel is created only when all are full, and never
 * beyond {@code maxChannels - 1}: the last of the OAuth client's channels is kept spare, so that a channel can
 * move (make before break) without a 21st evicting a live one. A channel left without topics by unsubscribes is
 * retired. Subscribes are batched per channel; unsubscribes go over the channel's socket. A lost socket is
 * replaced here, one channel at a time, with back-off: the same channel when Genesys still has it
 * ({@code HEAD}), otherwise a new channel carrying the same topics. Before its access token expires (Genesys
 * closes a token's channels with it) or when it cannot be renewed, a channel moves to a new one: new channel,
 * socket open, topics subscribed, then the old socket closed, so no event falls into a gap.
 */
public class ChannelPool implements ChannelSockets.Listener, Service, CamelContextAware {

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
    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong channelsGone = new AtomicLong();
    private volatile String lastChannelGone;
    /** Channels of the gateway's that it stopped using and Genesys may still count: a 21st evicts them first. */
    private final Map<String, Instant> retired = new LinkedHashMap<>();
    private long channelLifetimeSeconds = 86_400;
    private long renewBeforeSeconds = 3_600;
    private ScheduledExecutorService keeper;
    private ScheduledExecutorService batcher;
    private CamelContext camelContext;
    private ProducerTemplate template;
    private long batchWindowMillis = 50;
    private final Set<String> queuedTopics = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<String> subscribeQueue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean subscribeFlushScheduled = new AtomicBoolean();
    private final AtomicBoolean unsubscribeFlushScheduled = new AtomicBoolean();
    private final AtomicLong unsubscribeFrames = new AtomicLong();

    /** A window in which a channel had no open socket, so Genesys dropped its events. */
    public record GapWindow(String channelId, Instant from, Instant to, String why) {
    }

    private static final class PooledChannel {
        String id;
        String connectUri;
        final Set<String> topics = new LinkedHashSet<>();
        final Set<String> leaving = new LinkedHashSet<>();
        int reserved;
        int failedReconnects;
        Instant lostAt;
        String lostWhy;
        Instant expires;
        long tokenGeneration;
        /** After a failed move, the next is not tried before this (each try costs Genesys calls). */
        Instant nextMoveAt = Instant.EPOCH;

        PooledChannel(String id, String connectUri, Instant expires, long tokenGeneration) {
            this.id = id;
            this.connectUri = connectUri;
            this.expires = expires;
            this.tokenGeneration = tokenGeneration;
        }
    }

    public static String topicOf(String conversationId) {
        return TOPIC_PREFIX + conversationId + TOPIC_SUFFIX;
    }

    static String conversationOf(String topic) {
        return topic.substring(TOPIC_PREFIX.length(), topic.length() - TOPIC_SUFFIX.length());
    }

    /**
     * Asks for the conversation's ACW topic to be put on a channel. Requests that arrive within
     * {@code batchWindowMillis} of each other go out as one {@code POST .../subscriptions} per channel; the
     * outcomes are sent to route {@code direct:subscription-outcome}, a list of conversation ids per outcome (header
     * {@code subscriptionOutcome} = {@code subscribed}, {@code pending} or {@code failed}). Returns at once.
     *
     * @throws ChannelCapacityException when every channel the client may have is full (nothing is queued)
     */
    public void request(String conversationId) {
        String topic = topicOf(conversationId);
        synchronized (this) {
            PooledChannel existing = channelOfTopic.get(topic);
            if (existing != null) {
                outcome(List.of(conversationId), "subscribed", existing.id, null);
                return;
            }
            if (!queuedTopics.add(topic)) {
                return; // already on its way
            }
            if (channelOfTopic.size() + queuedTopics.size() > usableChannels() * maxTopicsPerChannel) {
                queuedTopics.remove(topic);
                capacityRejections.incrementAndGet();
                throw new ChannelCapacityException(usableChannels(), maxTopicsPerChannel);
            }
        }
        subscribeQueue.add(conversationId);
        if (subscribeFlushScheduled.compareAndSet(false, true)) {
            batcher.schedule(this::flushSubscribes, batchWindowMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** One batch: every queued topic onto channels with room, one call per channel (at most 1,000 topics). */
    private void flushSubscribes() {
        subscribeFlushScheduled.set(false);
        List<String> batch = new ArrayList<>();
        for (String id; (id = subscribeQueue.poll()) != null;) {
            batch.add(id);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<String[]> outcomes = new ArrayList<>();
        List<String> remaining = new ArrayList<>(batch);
        while (!remaining.isEmpty()) {
            PooledChannel channel;
            List<String> part;
            synchronized (this) {
                channel = channels.values().stream()
                        .filter(c -> c.topics.size() + c.reserved < maxTopicsPerChannel && c.lostAt == null)
                        .findFirst().orElse(null);
                if (channel == null && channels.size() >= usableChannels()) {
                    capacityRejections.incrementAndGet();
                    ChannelCapacityException full = new ChannelCapacityException(usableChannels(), maxTopicsPerChannel);
                    remaining.forEach(id -> outcomes.add(failure(id, full)));
                    break;
                }
            }
            if (channel == null) {
                try {
                    // outside the lock: creating a channel and opening its socket takes a while, and the socket's
                    // OPEN event is processed on threads that may be waiting for this lock
                    channel = createChannel();
                } catch (RuntimeException e) {
                    remaining.forEach(id -> outcomes.add(failure(id, e)));
                    break;
                }
            }
            synchronized (this) {
                channels.putIfAbsent(channel.id, channel);
                int room = maxTopicsPerChannel - channel.topics.size() - channel.reserved;
                part = List.copyOf(remaining.subList(0, Math.min(room, remaining.size())));
                channel.reserved += part.size();
            }
            remaining = new ArrayList<>(remaining.subList(part.size(), remaining.size()));
            List<String> topics = part.stream().map(ChannelPool::topicOf).toList();
            List<String> rejected = null;
            RuntimeException failed = null;
            try {
                // outside the lock: a call may wait for the request budget
                rejected = api.addSubscriptions(channel.id, topics);
            } catch (RuntimeException e) {
                failed = e;
            }
            synchronized (this) {
                channel.reserved -= part.size();
                for (String id : part) {
                    String topic = topicOf(id);
                    queuedTopics.remove(topic); // settled either way: counted once for the capacity check
                    if (failed != null) {
                        outcomes.add(failure(id, failed));
                    } else if (rejected.contains(topic)) {
                        outcomes.add(new String[] {id, "failed", null, "Genesys rejected topic " + topic
                                + " (the OAuth client lacks a permission, e.g. analytics:conversationDetail:view)"});
                    } else {
                        channel.topics.add(topic);
                        channelOfTopic.put(topic, channel);
                        outcomes.add(new String[] {id, "subscribed", channel.id, null});
                    }
                }
                if (failed == null) {
                    channel.expires = extended();
                    // every topic refused (a missing permission): nothing for this channel to carry
                    retireIfEmpty(channel);
                }
                // after a failure the channel stays, empty or not: the retry uses it (no channel made per retry)
            }
            if (failed instanceof GenesysApiException g && g.status() == 404) {
                socketLost(channel.id, "Genesys answered 404 for the channel (evicted or expired)");
            }
        }
        synchronized (this) {
            batch.forEach(id -> queuedTopics.remove(topicOf(id)));
        }
        // one message per outcome, channel and reason: the store records a whole batch in one transaction
        Map<List<String>, List<String>> grouped = new LinkedHashMap<>();
        outcomes.forEach(o -> grouped.computeIfAbsent(java.util.Arrays.asList(o[1], o[2], o[3]), k -> new ArrayList<>()).add(o[0]));
        grouped.forEach((key, ids) -> outcome(ids, key.get(0), key.get(1), key.get(2)));
    }

    private static String[] failure(String conversationId, RuntimeException e) {
        // a 404 is the channel gone, not the topic refused: it goes on another channel
        boolean retry = e instanceof GenesysApiException g ? g.isTransient() || g.status() == 404
                : e instanceof ChannelCapacityException;
        return new String[] {conversationId, retry ? "pending" : "failed", null, e.getMessage()};
    }

    private void outcome(List<String> conversationIds, String outcome, String channelId, String problem) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("subscriptionOutcome", outcome);
        if (channelId != null) {
            headers.put("channelId", channelId);
        }
        if (problem != null) {
            headers.put("problem", problem);
        }
        try {
            template.sendBodyAndHeaders("direct:subscription-outcome", conversationIds, headers);
        } catch (RuntimeException e) {
            LOG.warn("Subscription outcome of {} conversation(s) not recorded: {}", conversationIds.size(), e.getMessage());
        }
    }

    /**
     * Takes the conversation's topic off its channel. The channel's topic list here is the truth; Genesys is told
     * over the channel's socket ({@code {"message":"unsubscribe"}}, batched, no REST budget) and the list is
     * written again by REST on renewal and reconnect. A channel left empty is retired after that message:
     * socket closed, no further calls.
     */
    public void unsubscribe(String conversationId) {
        String topic = topicOf(conversationId);
        synchronized (this) {
            PooledChannel channel = channelOfTopic.remove(topic);
            if (channel == null) {
                return;
            }
            channel.topics.remove(topic);
            channel.leaving.add(topic);
        }
        if (unsubscribeFlushScheduled.compareAndSet(false, true)) {
            batcher.schedule(this::flushUnsubscribes, batchWindowMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void flushUnsubscribes() {
        unsubscribeFlushScheduled.set(false);
        Map<String, List<String>> byChannel = new LinkedHashMap<>();
        synchronized (this) {
            channels.values().stream().filter(c -> !c.leaving.isEmpty()).forEach(c -> {
                byChannel.put(c.id, List.copyOf(c.leaving));
                c.leaving.clear();
            });
        }
        byChannel.forEach((channelId, topics) -> {
            for (int from = 0; from < topics.size(); from += maxTopicsPerChannel) {
                List<String> part = topics.subList(from, Math.min(topics.size(), from + maxTopicsPerChannel));
                String frame = "{\"message\":\"unsubscribe\",\"topics\":[\"" + String.join("\",\"", part)
                        + "\"],\"correlationId\":\"unsubscribe-" + unsubscribeFrames.incrementAndGet() + "\"}";
                if (!sockets.send(channelId, frame)) {
                    LOG.debug("Unsubscribe for channel {} not sent (no socket): the next REST write corrects it", channelId);
                }
            }
        });
        synchronized (this) {
            // a channel whose last topics just left is retired, after Genesys was told
            byChannel.keySet().stream().map(channels::get).filter(c -> c != null).toList().forEach(this::retireIfEmpty);
        }
    }

    /**
     * Channels live 24 h and every subscription write extends them. A channel whose expiry comes within
     * {@code renewBeforeSeconds} gets its topics written again, so no socket dies of old age.
     */
    public void renewExpiring() {
        // on the batcher, like every other subscription write: a PUT must never overtake a POST still in flight
        batcher.execute(this::renewDue);
    }

    private void renewDue() {
        Instant due = Instant.now().plusSeconds(renewBeforeSeconds);
        Map<PooledChannel, List<String>> renew = new LinkedHashMap<>();
        synchronized (this) {
            channels.values().stream()
                    .filter(c -> c.lostAt == null && !c.topics.isEmpty() && c.expires.isBefore(due))
                    .forEach(c -> renew.put(c, List.copyOf(c.topics)));
        }
        // outside the lock (a call may wait for the request budget; triggers must not wait with it), but on the
        // batcher thread, so no subscribe for these channels runs meanwhile
        renew.forEach((channel, topics) -> {
            try {
                api.replaceSubscriptions(channel.id, topics);
                synchronized (this) {
                    channel.expires = extended();
                }
                renewals.incrementAndGet();
                LOG.info("Channel {} renewed until {}", channel.id, channel.expires);
            } catch (GenesysApiException e) {
                if (e.status() == 404) {
                    socketLost(channel.id, "Genesys answered 404 for the channel (evicted or expired)");
                    return;
                }
                // it would expire with its topics: they move to a new channel while this one still delivers
                LOG.warn("Channel {} could not be renewed ({}): moving its topics to a new channel", channel.id, e.getMessage());
                move(channel, "its renewal failed");
            }
        });
    }

    /**
     * Genesys closes a channel when the access token it was created with expires. Once a newer token is held, every
     * channel of an older one moves to a new channel (on the batcher, like every subscription write).
     */
    public void moveToToken(long generation) {
        batcher.execute(() -> {
            List<PooledChannel> older;
            synchronized (this) {
                Instant now = Instant.now();
                older = channels.values().stream().filter(c -> c.tokenGeneration < generation && c.lostAt == null
                        && c.reserved == 0 && !now.isBefore(c.nextMoveAt)).toList();
            }
            older.forEach(c -> move(c, "its access token expires soon"));
        });
    }

    /**
     * Make before break: a new channel with its socket open and the topics subscribed, then the old socket closed.
     * Both sockets deliver for a moment; the store drops the repeats. Runs on the batcher thread.
     */
    private boolean move(PooledChannel channel, String why) {
        String oldId;
        List<String> topics;
        synchronized (this) {
            if (channel.lostAt != null || !channels.containsKey(channel.id)) {
                return false; // lost meanwhile: the reconnect path has it
            }
            if (channel.topics.isEmpty()) {
                return retireIfEmpty(channel); // nothing to carry: retired instead of moved
            }
            oldId = channel.id;
        }
        PooledChannel fresh = null;
        try {
            fresh = createChannel();
            synchronized (this) {
                topics = List.copyOf(channel.topics);
            }
            // the new channel carries exactly the moved topics
            api.replaceSubscriptions(fresh.id, topics);
        } catch (RuntimeException e) {
            if (fresh != null) {
                // created but not subscribed: its socket closes, and Genesys' 21st evicts it first
                sockets.close(fresh.id);
            }
            synchronized (this) {
                channel.nextMoveAt = Instant.now().plusSeconds(5);
                if (fresh != null) {
                    retired.put(fresh.id, Instant.now());
                }
            }
            LOG.warn("Channel {} could not move to a new channel ({}), trying again in 5 s: {}", oldId, why, e.getMessage());
            return false;
        }
        synchronized (this) {
            channels.remove(oldId);
            channel.id = fresh.id;
            channel.connectUri = fresh.connectUri;
            channel.expires = extended();
            channel.tokenGeneration = fresh.tokenGeneration;
            channel.nextMoveAt = Instant.EPOCH;
            channels.put(channel.id, channel);
            retired.put(oldId, Instant.now());
        }
        sockets.close(oldId);
        moves.incrementAndGet();
        LOG.info("Channel {} moved to new channel {} with its {} topics ({}); no gap", oldId, fresh.id, topics.size(), why);
        return true;
    }

    private Instant extended() {
        return Instant.now().plusSeconds(channelLifetimeSeconds);
    }

    private Instant expiresOf(GenesysApi.Channel created) {
        return created.expires() != null ? created.expires() : extended();
    }

    /** A new channel with its socket open; the caller adds it to the pool. */
    private PooledChannel createChannel() {
        ensureRoomForAChannel();
        GenesysApi.Channel created = api.createChannel();
        PooledChannel channel = new PooledChannel(created.id(), created.connectUri(), expiresOf(created),
                created.tokenGeneration());
        if (!sockets.open(channel.id, channel.connectUri)) {
            synchronized (this) {
                retired.put(channel.id, Instant.now()); // at Genesys without a socket: the first a 21st evicts
            }
            throw new GenesysApiException("open socket", "the socket to new channel " + channel.id + " did not open", null);
        }
        LOG.info("Channel {} created", channel.id);
        return channel;
    }

    /**
     * A 21st channel makes Genesys evict the least recently used one, unconnected first. A new channel is created
     * only when the OAuth client has fewer than {@code maxChannels}, or when one of them is a channel the gateway
     * retired (no socket: it goes first). Otherwise the eviction could hit a live channel, the gateway's own or
     * another application's, and the gateway would be evicting itself in a cascade.
     */
    private void ensureRoomForAChannel() {
        int atGenesys = api.clientChannelCount();
        if (atGenesys < maxChannels || retiredChannelStillAtGenesys()) {
            return;
        }
        int ours;
        synchronized (this) {
            ours = channels.size();
        }
        throw new GenesysApiException("create channel", "the OAuth client already has " + atGenesys + " channels ("
                + Math.max(0, atGenesys - ours) + " not this gateway's): another would evict a live one", null);
    }

    private boolean retiredChannelStillAtGenesys() {
        List<String> candidates;
        synchronized (this) {
            Instant forgotten = Instant.now().minusSeconds(channelLifetimeSeconds);
            retired.values().removeIf(at -> at.isBefore(forgotten));
            candidates = List.copyOf(retired.keySet());
        }
        for (String id : candidates) {
            if (api.channelExists(id)) {
                return true;
            }
            synchronized (this) {
                retired.remove(id);
            }
        }
        return false;
    }

    private boolean retireIfEmpty(PooledChannel channel) {
        if (!channel.topics.isEmpty() || channel.reserved > 0) {
            return false;
        }
        channels.remove(channel.id);
        retired.put(channel.id, Instant.now());
        sockets.close(channel.id);
        // no call to Genesys: without a socket nothing is delivered, and the channel expires by itself
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
                channelGone(channel);
                return;
            }
            if (ok) {
                List<String> affected;
                synchronized (this) {
                    affected = channel.topics.stream().map(ChannelPool::conversationOf).toList();
                    LOG.info("Channel {} has a socket again after {} ms without one", channel.id,
                            Instant.now().toEpochMilli() - channel.lostAt.toEpochMilli());
                }
                gapEnded(channel, affected);
                synchronized (this) {
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

    /**
     * The channel's socket gap is over (or, for a channel gone, its end is known): it is listed, and route
     * socket-gap has the conversations reconciled, since Genesys dropped what it published meanwhile.
     */
    private void gapEnded(PooledChannel channel, List<String> affected) {
        GapWindow gap;
        synchronized (this) {
            gap = new GapWindow(channel.id, channel.lostAt, Instant.now(), channel.lostWhy);
            gaps.add(gap);
        }
        template.sendBodyAndHeaders("direct:socket-gap", affected, Map.of("channelId", gap.channelId(),
                "gapMillis", gap.to().toEpochMilli() - gap.from().toEpochMilli(), "gapReason", gap.why()));
    }

    /**
     * Genesys no longer has the channel (evicted by a 21st channel, expired, closed with its token): its topics go
     * back through the subscribe path, onto a channel with room or a new one (never one whose creation would evict
     * a live channel), and their conversations are reconciled for the gap.
     */
    private void channelGone(PooledChannel channel) {
        List<String> affected;
        String note;
        synchronized (this) {
            note = "channel " + channel.id + " removed by Genesys (" + channel.lostWhy + ") at " + channel.lostAt;
            channels.remove(channel.id);
            channel.topics.forEach(channelOfTopic::remove);
            affected = channel.topics.stream().map(ChannelPool::conversationOf).toList();
        }
        channelsGone.incrementAndGet();
        lastChannelGone = note;
        sockets.close(channel.id);
        LOG.warn("Genesys no longer has {}: its {} topic(s) are subscribed again elsewhere", note, affected.size());
        gapEnded(channel, affected);
        // the room its topics held is free again, so these cannot be refused for capacity
        affected.forEach(this::request);
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

    /** Why each channel without a socket lost it, for readiness: empty when every channel has one. */
    public synchronized List<String> socketLosses() {
        return channels.values().stream().filter(c -> c.lostAt != null)
                .map(c -> "channel " + c.id + " since " + c.lostAt + ": " + c.lostWhy).toList();
    }

    /** Topics all usable channels may carry together: beyond it a trigger is refused. */
    public int topicCapacity() {
        return usableChannels() * maxTopicsPerChannel;
    }

    /** Channels that may carry topics: one of the OAuth client's {@code maxChannels} is kept spare for moves. */
    public int usableChannels() {
        return Math.max(1, maxChannels - 1);
    }

    // ------------------------------------------------------------------ lifecycle and settings

    @Override
    public synchronized void start() {
        if (keeper != null) {
            return; // Camel starts registry services more than once
        }
        sockets.setListener(this);
        template = camelContext.createProducerTemplate();
        keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "channel-keeper");
            t.setDaemon(true);
            return t;
        });
        batcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "subscription-batcher");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void stop() {
        if (keeper != null) {
            keeper.shutdownNow();
        }
        if (batcher != null) {
            batcher.shutdownNow();
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** How long subscribe and unsubscribe requests are gathered before one call per channel goes out. */
    public void setBatchWindowMillis(long batchWindowMillis) {
        this.batchWindowMillis = batchWindowMillis;
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
