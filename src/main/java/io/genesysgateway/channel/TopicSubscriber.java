package io.genesysgateway.channel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import io.genesysgateway.socket.ChannelSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts conversations' ACW topics on channels: the requests queued since the last batch go out as one
 * {@code POST .../subscriptions} per channel with room (at most 1,000 topics), a channel made only when all are
 * full. Route subscribe-batch takes a batch every batch window and records the outcomes this returns.
 */
public class TopicSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSubscriber.class);

    private GenesysApi api;
    private ChannelRegistry registry;
    private ChannelOpener opener;
    private ChannelSockets sockets;
    private ChannelFigures figures;
    private final Queue<String> requests = new ConcurrentLinkedQueue<>();

    /**
     * Queues the conversation's subscribe request for the next batch (nothing when it is already on its way).
     *
     * @throws ChannelCapacityException when every channel the client may have is full (nothing is queued)
     */
    public void request(String conversationId) {
        try {
            if (registry.queue(AcwTopic.of(conversationId))) {
                requests.add(conversationId);
            }
        } catch (ChannelCapacityException e) {
            figures.capacityRejected();
            throw e;
        }
    }

    /** Leadership lost: the queued requests are not this instance's to send (they stay pending in the store). */
    public void forgetQueued() {
        requests.clear();
    }

    /** Subscribes the requests queued since the last batch (none: nothing to do). */
    public List<SubscriptionOutcome> subscribeQueued() {
        List<String> batch = new ArrayList<>();
        for (String id; (id = requests.poll()) != null;) {
            batch.add(id);
        }
        return batch.isEmpty() ? List.of() : subscribe(batch);
    }

    /**
     * Subscribes a batch of conversations; returns the outcomes, one per outcome, channel and reason. A conversation
     * already on a channel is reported subscribed there. Genesys unreachable: pending; refused: failed.
     */
    public List<SubscriptionOutcome> subscribe(List<String> conversationIds) {
        Map<List<String>, List<String>> outcomes = new LinkedHashMap<>();
        List<String> remaining = new ArrayList<>();
        for (String id : new LinkedHashSet<>(conversationIds)) {
            String on = registry.channelOf(AcwTopic.of(id));
            if (on != null) {
                add(outcomes, id, "subscribed", on, null);
            } else {
                remaining.add(id);
            }
        }
        registry.writes().lock();
        try {
            while (!remaining.isEmpty()) {
                Channel channel = registry.withRoom();
                if (channel == null && registry.atChannelLimit()) {
                    figures.capacityRejected();
                    fail(outcomes, remaining, registry.capacityExceeded());
                    break;
                }
                if (channel == null) {
                    try {
                        // outside the registry's lock: creating a channel and opening its socket takes a while
                        channel = opener.open();
                    } catch (RuntimeException e) {
                        fail(outcomes, remaining, e);
                        break;
                    }
                }
                List<String> part = registry.reserve(channel, remaining.stream().map(AcwTopic::of).toList());
                remaining = new ArrayList<>(remaining.subList(part.size(), remaining.size()));
                write(channel, part, outcomes);
            }
        } finally {
            registry.writes().unlock();
            registry.dequeue(conversationIds.stream().map(AcwTopic::of).toList());
        }
        List<SubscriptionOutcome> out = new ArrayList<>();
        outcomes.forEach((key, ids) -> out.add(new SubscriptionOutcome(key.get(0), key.get(1), key.get(2), ids)));
        return out;
    }

    private void write(Channel channel, List<String> topics, Map<List<String>, List<String>> outcomes) {
        String channelId = channel.id();
        List<String> rejected = null;
        RuntimeException failed = null;
        try {
            // outside the registry's lock: a call may wait for the request budget
            rejected = api.addSubscriptions(channelId, topics);
        } catch (RuntimeException e) {
            failed = e;
        }
        List<String> accepted = new ArrayList<>();
        for (String topic : topics) {
            String id = AcwTopic.conversationOf(topic);
            if (failed != null) {
                fail(outcomes, List.of(id), failed);
            } else if (rejected.contains(topic)) {
                add(outcomes, id, "failed", null, "Genesys rejected topic " + topic
                        + " (the OAuth client lacks a permission, e.g. analytics:conversationDetail:view)");
            } else {
                accepted.add(topic);
                add(outcomes, id, "subscribed", channelId, null);
            }
        }
        // after a failure the channel stays, empty or not: the retry uses it (no channel made per retry)
        if (registry.settle(channel, topics, accepted, failed == null ? registry.extendedExpiry() : null)) {
            sockets.close(channelId); // no call to Genesys: without a socket the channel expires by itself
            LOG.info("Channel {} retired: every topic was refused", channelId);
        }
        if (failed instanceof GenesysApiException g && g.status() == 404) {
            registry.markLost(channelId, "Genesys answered 404 for the channel (evicted or expired)");
        }
    }

    private static void fail(Map<List<String>, List<String>> outcomes, List<String> ids, RuntimeException e) {
        // a 404 is the channel gone, not the topic refused: it goes on another channel
        boolean retry = e instanceof GenesysApiException g ? g.isTransient() || g.status() == 404
                : e instanceof ChannelCapacityException;
        ids.forEach(id -> add(outcomes, id, retry ? "pending" : "failed", null, e.getMessage()));
    }

    private static void add(Map<List<String>, List<String>> outcomes, String id, String outcome, String channelId,
            String problem) {
        outcomes.computeIfAbsent(Arrays.asList(outcome, channelId, problem), k -> new ArrayList<>()).add(id);
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setOpener(ChannelOpener opener) {
        this.opener = opener;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setFigures(ChannelFigures figures) {
        this.figures = figures;
    }
}
