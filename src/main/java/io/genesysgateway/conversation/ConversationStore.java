package io.genesysgateway.conversation;

import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tracked conversations and the ACW events already seen (by idempotency key), in memory. Every method is
 * atomic per store; the routes call it by name.
 */
public class ConversationStore {

    /** The answer to a trigger: whether this call started tracking, and whether a subscription is needed. */
    public record TrackOutcome(String conversationId, boolean newlyTracked, boolean needsSubscription) {
    }

    private final Map<String, TrackedConversation> conversations = new ConcurrentHashMap<>();
    private final Set<String> seenEvents = ConcurrentHashMap.newKeySet();
    private Clock clock = Clock.systemUTC();

    public synchronized TrackOutcome track(TriggerRequest request) {
        TrackedConversation existing = conversations.get(request.conversationId());
        if (existing != null) {
            // a repeated trigger retries a subscription that failed; it never subscribes twice
            boolean retry = existing.state() == ConversationState.FAILED;
            if (retry) {
                existing.problem(ConversationState.PENDING, "retrying after: " + existing.describe().get("problem"));
            }
            return new TrackOutcome(request.conversationId(), false, retry);
        }
        conversations.put(request.conversationId(),
                new TrackedConversation(request.conversationId(), request.context(), clock.instant()));
        return new TrackOutcome(request.conversationId(), true, true);
    }

    public synchronized void subscribed(String conversationId, String channelId) {
        with(conversationId, c -> c.subscribed(channelId, clock.instant()));
    }

    public synchronized void subscriptionPending(String conversationId, String why) {
        with(conversationId, c -> c.problem(ConversationState.PENDING, why));
    }

    public synchronized void subscriptionFailed(String conversationId, String why) {
        with(conversationId, c -> c.problem(ConversationState.FAILED, why));
    }

    /** Stops tracking a conversation that was never subscribed (its trigger was refused). */
    public synchronized void forget(String conversationId) {
        TrackedConversation c = conversations.get(conversationId);
        if (c != null && c.channelId() == null) {
            conversations.remove(conversationId);
        }
    }

    /** Conversations still waiting for their subscription. */
    public synchronized List<String> pendingSubscriptions() {
        return conversations.values().stream().filter(TrackedConversation::isAwaitingRetry)
                .map(TrackedConversation::conversationId).toList();
    }

    /**
     * Records an ACW event by its idempotency key.
     *
     * @return true the first time this event is seen, false for a repeat (to be dropped)
     */
    public synchronized boolean acwReceived(String conversationId, String idempotencyKey) {
        if (!seenEvents.add(idempotencyKey)) {
            return false;
        }
        with(conversationId, c -> c.acwReceived(clock.instant()));
        return true;
    }

    /** The trigger context carried into the history record; empty for a conversation not tracked. */
    public Map<String, Object> context(String conversationId) {
        TrackedConversation c = conversations.get(conversationId);
        return c == null ? Map.of() : c.context();
    }

    public synchronized void delivered(String conversationId) {
        with(conversationId, c -> c.delivered(clock.instant()));
    }

    public synchronized void deadLettered(String conversationId, String why) {
        with(conversationId, c -> c.deadLettered(why));
    }

    public synchronized void unsubscribed(String conversationId) {
        with(conversationId, c -> c.unsubscribed(clock.instant()));
    }

    public synchronized boolean isTracked(String conversationId) {
        TrackedConversation c = conversations.get(conversationId);
        return c != null && !c.isUnsubscribed();
    }

    /** The status document of one conversation, or null when it is not known. */
    public synchronized Map<String, Object> describe(String conversationId) {
        TrackedConversation c = conversations.get(conversationId);
        return c == null ? null : c.describe();
    }

    /** The trigger's 202 answer. */
    public synchronized Map<String, Object> triggerAnswer(String conversationId, boolean newlyTracked) {
        Map<String, Object> out = new LinkedHashMap<>(describe(conversationId));
        out.put("newlyTracked", newlyTracked);
        out.put("message", newlyTracked ? "tracking started; the subscription follows within moments"
                : "already tracked: no second subscription");
        return out;
    }

    public synchronized Map<String, Long> countsByState() {
        Map<ConversationState, Long> counts = new EnumMap<>(ConversationState.class);
        for (ConversationState s : ConversationState.values()) {
            counts.put(s, 0L);
        }
        conversations.values().forEach(c -> counts.merge(c.state(), 1L, Long::sum));
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k.label(), v));
        return out;
    }

    private void with(String conversationId, java.util.function.Consumer<TrackedConversation> change) {
        TrackedConversation c = conversations.get(conversationId);
        if (c != null) {
            change.accept(c);
        }
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }
}
