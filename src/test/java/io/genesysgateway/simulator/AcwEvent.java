package io.genesysgateway.simulator;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/** The body of a {@code v2.detail.events.conversation.{id}.acw} event; times are epoch milliseconds. */
public record AcwEvent(
        String conversationId,
        String participantId,
        String sessionId,
        String userId,
        String queueId,
        String wrapupCode,
        String wrapupNotes,
        long wrapupDurationMs,
        long eventTime,
        String mediaType,
        String direction,
        String ani,
        String dnis) {

    /** A voice wrap-up for {@code conversationId} with fresh ids, at the current time. */
    public static AcwEvent sample(String conversationId) {
        return new AcwEvent(conversationId, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "Customer asked about \"billing\"; resolved.", 45_000L, System.currentTimeMillis(), "VOICE", "INBOUND",
                "tel:+441234567890", "tel:+448001234567");
    }

    public JsonObject toEventBody() {
        return new JsonObject()
                .put("eventTime", eventTime)
                .put("conversationId", conversationId)
                .put("participantId", participantId)
                .put("sessionId", sessionId)
                .put("mediaType", mediaType)
                .put("provider", "Edge")
                .put("direction", direction)
                .put("ani", ani)
                .put("dnis", dnis)
                .put("userId", userId)
                .put("queueId", queueId)
                .put("wrapupCode", wrapupCode)
                .put("wrapupNotes", wrapupNotes)
                .put("wrapupDurationMs", wrapupDurationMs);
    }

    public static AcwEvent fromJson(JsonObject json) {
        String conversationId = json.getString("conversationId");
        AcwEvent sample = sample(conversationId);
        return new AcwEvent(conversationId,
                json.getString("participantId", sample.participantId()),
                json.getString("sessionId", sample.sessionId()),
                json.getString("userId", sample.userId()),
                json.getString("queueId", sample.queueId()),
                json.getString("wrapupCode", sample.wrapupCode()),
                json.getString("wrapupNotes", sample.wrapupNotes()),
                json.getLong("wrapupDurationMs", sample.wrapupDurationMs()),
                json.getLong("eventTime", sample.eventTime()),
                json.getString("mediaType", sample.mediaType()),
                json.getString("direction", sample.direction()),
                json.getString("ani", sample.ani()),
                json.getString("dnis", sample.dnis()));
    }
}
