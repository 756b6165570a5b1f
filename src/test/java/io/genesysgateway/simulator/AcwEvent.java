package io.genesysgateway.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The body of a {@code v2.detail.events.conversation.{id}.acw} event with every field of Genesys' model
 * ({@code AcwDetailEventTopicAfterCallWorkEvent}, in its order); times are epoch milliseconds (64-bit: the Java
 * SDK's {@code Integer} cannot hold them). {@code laterFields} are fields newer than that model (the newest SDKs add
 * {@code utilizationLabel}); they are published as well.
 */
public record AcwEvent(
        long eventTime,
        String conversationId,
        String participantId,
        String sessionId,
        String mediaType,
        String provider,
        String direction,
        String ani,
        String dnis,
        String addressTo,
        String addressFrom,
        String callbackUserName,
        List<String> callbackNumbers,
        Long callbackScheduledTime,
        String subject,
        String messageType,
        String userId,
        String queueId,
        String wrapupCode,
        String wrapupNotes,
        long wrapupDurationMs,
        List<String> conversationExternalContactIds,
        List<String> conversationExternalOrganizationIds,
        Map<String, Object> laterFields) {

    /**
     * A wrap-up for {@code conversationId} with fresh ids, at the current time, with every field set (no single
     * medium has them all, e.g. {@code subject} is an email's; set here so that each is seen to arrive).
     */
    public static AcwEvent sample(String conversationId) {
        long now = System.currentTimeMillis();
        return new AcwEvent(now, conversationId, uuid(), uuid(), "VOICE", "Edge", "INBOUND",
                "tel:+441234567890", "tel:+448001234567", "tel:+448001234567", "tel:+441234567890",
                "Ada Lovelace", List.of("tel:+441234567890", "tel:+447700900123"), now + 3_600_000L,
                "Invoice 4411", "SMS", uuid(), uuid(), uuid(), "Customer asked about \"billing\"; resolved.", 45_000L,
                List.of(uuid()), List.of(uuid()), Map.of("utilizationLabel", "premium-support"));
    }

    /** The wrap-up of another agent of the same conversation (a transfer), now. */
    public AcwEvent ofAnotherAgent(String otherParticipantId, String notes, long durationMs) {
        return new AcwEvent(System.currentTimeMillis(), conversationId, otherParticipantId, uuid(), mediaType, provider,
                direction, ani, dnis, addressTo, addressFrom, callbackUserName, callbackNumbers, callbackScheduledTime,
                subject, messageType, uuid(), queueId, uuid(), notes, durationMs, conversationExternalContactIds,
                conversationExternalOrganizationIds, laterFields);
    }

    /** This event with other times (e.g. past 2^31 ms of duration). */
    public AcwEvent withTimes(long newEventTime, long newWrapupDurationMs, Long newCallbackScheduledTime) {
        return new AcwEvent(newEventTime, conversationId, participantId, sessionId, mediaType, provider, direction, ani,
                dnis, addressTo, addressFrom, callbackUserName, callbackNumbers, newCallbackScheduledTime, subject,
                messageType, userId, queueId, wrapupCode, wrapupNotes, newWrapupDurationMs,
                conversationExternalContactIds, conversationExternalOrganizationIds, laterFields);
    }

    public JsonObject toEventBody() {
        JsonObject body = new JsonObject()
                .put("eventTime", eventTime)
                .put("conversationId", conversationId)
                .put("participantId", participantId)
                .put("sessionId", sessionId)
                .put("mediaType", mediaType)
                .put("provider", provider)
                .put("direction", direction)
                .put("ani", ani)
                .put("dnis", dnis)
                .put("addressTo", addressTo)
                .put("addressFrom", addressFrom)
                .put("callbackUserName", callbackUserName)
                .put("callbackNumbers", callbackNumbers == null ? null : new JsonArray(callbackNumbers))
                .put("callbackScheduledTime", callbackScheduledTime)
                .put("subject", subject)
                .put("messageType", messageType)
                .put("userId", userId)
                .put("queueId", queueId)
                .put("wrapupCode", wrapupCode)
                .put("wrapupNotes", wrapupNotes)
                .put("wrapupDurationMs", wrapupDurationMs)
                .put("conversationExternalContactIds", conversationExternalContactIds == null ? null
                        : new JsonArray(conversationExternalContactIds))
                .put("conversationExternalOrganizationIds", conversationExternalOrganizationIds == null ? null
                        : new JsonArray(conversationExternalOrganizationIds));
        if (laterFields != null) {
            laterFields.forEach(body::put);
        }
        // Genesys leaves out what a conversation does not have
        body.getMap().values().removeIf(java.util.Objects::isNull);
        return body;
    }

    /** An event from the control API's JSON: the fields given, the sample's for the others. */
    public static AcwEvent fromJson(JsonObject json) {
        String conversationId = json.getString("conversationId");
        AcwEvent s = sample(conversationId);
        Map<String, Object> later = new LinkedHashMap<>(s.laterFields());
        later.put("utilizationLabel", json.getString("utilizationLabel", (String) later.get("utilizationLabel")));
        return new AcwEvent(
                json.getLong("eventTime", s.eventTime()),
                conversationId,
                json.getString("participantId", s.participantId()),
                json.getString("sessionId", s.sessionId()),
                json.getString("mediaType", s.mediaType()),
                json.getString("provider", s.provider()),
                json.getString("direction", s.direction()),
                json.getString("ani", s.ani()),
                json.getString("dnis", s.dnis()),
                json.getString("addressTo", s.addressTo()),
                json.getString("addressFrom", s.addressFrom()),
                json.getString("callbackUserName", s.callbackUserName()),
                strings(json.getJsonArray("callbackNumbers"), s.callbackNumbers()),
                json.getLong("callbackScheduledTime", s.callbackScheduledTime()),
                json.getString("subject", s.subject()),
                json.getString("messageType", s.messageType()),
                json.getString("userId", s.userId()),
                json.getString("queueId", s.queueId()),
                json.getString("wrapupCode", s.wrapupCode()),
                json.getString("wrapupNotes", s.wrapupNotes()),
                json.getLong("wrapupDurationMs", s.wrapupDurationMs()),
                strings(json.getJsonArray("conversationExternalContactIds"), s.conversationExternalContactIds()),
                strings(json.getJsonArray("conversationExternalOrganizationIds"), s.conversationExternalOrganizationIds()),
                later);
    }

    private static List<String> strings(JsonArray array, List<String> otherwise) {
        return array == null ? otherwise : array.stream().map(String::valueOf).toList();
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }
}
