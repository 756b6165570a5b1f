package io.genesysgateway.conversation;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the gateway knows of one conversation. Guarded by its {@link ConversationStore}. */
public final class TrackedConversation {

    private final String conversationId;
    private final Map<String, Object> context;
    private final Instant trackedAt;
    private ConversationState state = ConversationState.PENDING;
    private String channelId;
    private String problem;
    private Instant subscribedAt;
    private Instant acwReceivedAt;
    private Instant deliveredAt;
    private Instant unsubscribedAt;
    private int acwEvents;
    private boolean awaitingRetry;

    TrackedConversation(String conversationId, Map<String, Object> context, Instant trackedAt) {
        this.conversationId = conversationId;
        this.context = Map.copyOf(context);
        this.trackedAt = trackedAt;
    }

    public String conversationId() {
        return conversationId;
    }

    public Map<String, Object> context() {
        return context;
    }

    public ConversationState state() {
        return state;
    }

    public String channelId() {
        return channelId;
    }

    void subscribed(String channel, Instant at) {
        channelId = channel;
        problem = null;
        awaitingRetry = false;
        if (state == ConversationState.PENDING || state == ConversationState.FAILED) {
            state = ConversationState.SUBSCRIBED;
        }
        if (subscribedAt == null) {
            subscribedAt = at;
        }
    }

    void problem(ConversationState newState, String why) {
        state = newState;
        problem = why;
        awaitingRetry = newState == ConversationState.PENDING;
    }

    /** Pending after a failed attempt (not merely before its first one, which its trigger is making). */
    boolean isAwaitingRetry() {
        return awaitingRetry && state == ConversationState.PENDING;
    }

    void acwReceived(Instant at) {
        acwEvents++;
        acwReceivedAt = at;
        if (state != ConversationState.DELIVERED) {
            state = ConversationState.ACW_RECEIVED;
        }
    }

    void delivered(Instant at) {
        state = ConversationState.DELIVERED;
        deliveredAt = at;
        problem = null;
    }

    void deadLettered(String why) {
        state = ConversationState.DEAD_LETTER;
        problem = why;
    }

    void unsubscribed(Instant at) {
        unsubscribedAt = at;
        channelId = null;
    }

    boolean isUnsubscribed() {
        return unsubscribedAt != null;
    }

    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversationId", conversationId);
        out.put("state", state.label());
        out.put("context", context);
        out.put("trackedAt", trackedAt.toString());
        putIfSet(out, "channelId", channelId);
        putIfSet(out, "subscribedAt", subscribedAt);
        putIfSet(out, "acwReceivedAt", acwReceivedAt);
        putIfSet(out, "deliveredAt", deliveredAt);
        putIfSet(out, "unsubscribedAt", unsubscribedAt);
        out.put("acwEvents", acwEvents);
        putIfSet(out, "problem", problem);
        return out;
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value.toString());
        }
    }
}
