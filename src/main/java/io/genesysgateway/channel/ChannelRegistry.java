package io.genesysgateway.channel;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Which channels the gateway holds, which ACW topics each carries, and the rules of room: at most
 * {@code maxTopicsPerChannel} topics on a channel, a topic on the first channel with room, at most
 * {@code maxChannels - 1} channels (the last of the OAuth client's is kept spare, so that a channel can move make
 * before break without a 21st evicting a live one), a channel left without topics retired. Only data and rules: the
 * classes that call Genesys or open sockets ask here first and record here after.
 */
public class ChannelRegistry {

    private int maxTopicsPerChannel = 1_000;
    private int maxChannels = 20;
    private long channelLifetimeSeconds = 86_400;
    private Clock clock = Clock.systemUTC();

    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final Map<String, Channel> channelOfTopic = new HashMap<>();
    /** Topics asked for and not yet settled (waiting for a batch or in its call): they count against the room. */
    private final Set<String> queuedTopics = new HashSet<>();
    private final RetiredChannels retired = new RetiredChannels();
    /** Subscription writes (subscribe, renewal, move) run one at a time: a PUT never overtakes a POST in flight. */
    private final ReentrantLock writes = new ReentrantLock();

    /** Channels that may carry topics: one of the OAuth client's {@code maxChannels} is kept spare for moves. */
    public int usableChannels() {
        return Math.max(1, maxChannels - 1);
    }

    /** Channels retired here, and any other the gateway stopped using. */
    public RetiredChannels retired() {
        return retired;
    }

    ReentrantLock writes() {
        return writes;
    }

    Instant now() {
        return clock.instant();
    }

    /** The expiry of a channel written to now: every subscription write extends it by the lifetime. */
    Instant extendedExpiry() {
        return now().plusSeconds(channelLifetimeSeconds);
    }

    // ------------------------------------------------------------------ subscribing

    /**
     * A topic's subscribe request: true when it goes in the next batch (one already on a channel too: the batch
     * reports where), false when it is on its way. Throws ChannelCapacityException when no usable channel has room.
     */
    public synchronized boolean queue(String topic) {
        if (channelOfTopic.containsKey(topic)) {
            return true;
        }
        if (!queuedTopics.add(topic)) {
            return false;
        }
        if (channelOfTopic.size() + queuedTopics.size() > (long) usableChannels() * maxTopicsPerChannel) {
            queuedTopics.remove(topic);
            throw capacityExceeded();
        }
        return true;
    }

    ChannelCapacityException capacityExceeded() {
        return new ChannelCapacityException(usableChannels(), maxTopicsPerChannel);
    }

    /** The channel carrying the topic, or null. */
    public synchronized String channelOf(String topic) {
        Channel channel = channelOfTopic.get(topic);
        return channel == null ? null : channel.id();
    }

    /** The first channel with room and a socket, or null. */
    synchronized Channel withRoom() {
        return channels.values().stream().filter(c -> c.hasRoom(maxTopicsPerChannel)).findFirst().orElse(null);
    }

    /** No channel may be added: the usable ones are all held. */
    public synchronized boolean atChannelLimit() {
        return channels.size() >= usableChannels();
    }

    /** Holds room on the channel (added if new) for as many of the topics as fit; returns those. */
    synchronized List<String> reserve(Channel channel, List<String> topics) {
        channels.putIfAbsent(channel.id(), channel);
        return channel.reserve(maxTopicsPerChannel, topics);
    }

    /**
     * A subscribe call for reserved topics is over: {@code accepted} are on the channel; {@code expires} is its new
     * expiry, null when the call failed (the channel stays for the retry). True when the channel was retired: the
     * call went through and every topic was refused.
     */
    synchronized boolean settle(Channel channel, List<String> topics, Collection<String> accepted, Instant expires) {
        channel.release(topics.size());
        queuedTopics.removeAll(topics);
        for (String topic : accepted) {
            channel.carry(topic);
            channelOfTopic.put(topic, channel);
        }
        if (expires == null) {
            return false;
        }
        channel.renewed(expires);
        return retireIfEmpty(channel);
    }

    /** Topics of a batch settled without a call (the batch failed before): they no longer count. */
    synchronized void dequeue(Collection<String> topics) {
        queuedTopics.removeAll(topics);
    }

    // ------------------------------------------------------------------ unsubscribing and retiring

    /** Takes the topic off its channel at once; the channel is told later ({@link #takeLeaving()}). */
    public synchronized boolean unsubscribe(String topic) {
        Channel channel = channelOfTopic.remove(topic);
        if (channel == null) {
            return false;
        }
        channel.leave(topic);
        return true;
    }

    /** The topics that left each channel since the last call, by channel id. */
    public synchronized Map<String, List<String>> takeLeaving() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        channels.forEach((id, c) -> {
            List<String> leaving = c.takeLeaving();
            if (!leaving.isEmpty()) {
                out.put(id, leaving);
            }
        });
        return out;
    }

    /** Retires those of the channels that carry nothing and have no call in flight; returns their ids. */
    public synchronized List<String> retireEmpty(Collection<String> channelIds) {
        return channelIds.stream().filter(id -> channels.containsKey(id) && retireIfEmpty(channels.get(id))).toList();
    }

    synchronized boolean retireIfEmpty(Channel channel) {
        if (!channel.isEmpty()) {
            return false;
        }
        channels.remove(channel.id());
        retired.add(channel.id());
        return true;
    }

    // ------------------------------------------------------------------ sockets lost and replaced

    /** The channel's socket is lost: true when this is news (it is reconnected from now). */
    public synchronized boolean markLost(String channelId, String why) {
        Channel channel = channels.get(channelId);
        return channel != null && channel.markLost(why, now());
    }

    /** Genesys will close the channel's socket for maintenance: a new one is due. */
    public synchronized void markClosing(String channelId) {
        Channel channel = channels.get(channelId);
        if (channel != null) {
            channel.markClosing();
        }
    }

    /** Channels whose socket Genesys announced it will close; each is taken once. */
    synchronized List<Channel> takeClosing() {
        return all(Channel::takeClosing);
    }

    /** Lost sockets whose next reconnect attempt is due. */
    synchronized List<Channel> reconnectsDue() {
        Instant now = now();
        return all(c -> c.reconnectDue(now));
    }

    /** Genesys no longer has the channel: it and its topics are dropped here. Returns its conversations. */
    synchronized List<String> gone(Channel channel) {
        channels.remove(channel.id());
        List<String> topics = channel.topics();
        topics.forEach(channelOfTopic::remove);
        return topics.stream().map(AcwTopic::conversationOf).toList();
    }

    // ------------------------------------------------------------------ renewals and moves

    /** Channels with a socket and topics that expire before {@code due}. */
    synchronized List<Channel> expiringBefore(Instant due) {
        return all(c -> c.expiresBefore(due));
    }

    /** Channels made with an older token than {@code generation} that may move now. */
    synchronized List<Channel> olderThan(long generation) {
        Instant now = now();
        return all(c -> c.mayMoveFrom(generation, now));
    }

    /** Still this registry's channel, with a socket (one lost meanwhile is the reconnect's). */
    synchronized boolean held(Channel channel) {
        return !channel.isLost() && channels.get(channel.id()) == channel;
    }

    /** The channel's topics are on {@code fresh} now; the old channel is retired. Returns the old id. */
    synchronized String moved(Channel channel, Channel fresh) {
        String oldId = channel.moveTo(fresh);
        channels.remove(oldId);
        retired.add(oldId);
        channels.put(channel.id(), channel);
        return oldId;
    }

    /**
     * Leadership lost (cluster mode): this instance no longer drives the client, so it holds no channel and no topic
     * any more. The channels still count at Genesys until they expire: retired, so that a later leadership here
     * evicts them first. Returns how many channels were given up.
     */
    public synchronized int forgetAll() {
        int n = channels.size();
        channels.keySet().forEach(retired::add);
        channels.clear();
        channelOfTopic.clear();
        queuedTopics.clear();
        return n;
    }

    // ------------------------------------------------------------------ figures

    public synchronized int channelCount() {
        return channels.size();
    }

    public synchronized int topicCount() {
        return channelOfTopic.size();
    }

    /** Topics all usable channels may carry together: beyond it a trigger is refused. */
    public int topicCapacity() {
        return usableChannels() * maxTopicsPerChannel;
    }

    public synchronized int maxTopicsOnAChannel() {
        return channels.values().stream().mapToInt(Channel::topicCount).max().orElse(0);
    }

    /** The channels now, for the status view. */
    synchronized List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    private List<Channel> all(Predicate<Channel> test) {
        return channels.values().stream().filter(test).toList();
    }

    // ------------------------------------------------------------------ settings

    public void setMaxTopicsPerChannel(int maxTopicsPerChannel) {
        this.maxTopicsPerChannel = Math.min(1_000, maxTopicsPerChannel);
    }

    public void setMaxChannels(int maxChannels) {
        this.maxChannels = Math.min(20, maxChannels);
    }

    public void setChannelLifetimeSeconds(long channelLifetimeSeconds) {
        this.channelLifetimeSeconds = channelLifetimeSeconds;
        retired.setChannelLifetimeSeconds(channelLifetimeSeconds);
    }

    void setClock(Clock clock) {
        this.clock = clock;
        retired.setClock(clock);
    }
}
