package io.genesysgateway.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.genesysgateway.channel.AcwTopic;

/**
 * Reads an analytics conversation-details document ({@code GET /api/v2/analytics/conversations/{id}/details}) and
 * rebuilds each agent's wrap-up segment as the ACW notification the socket would have carried, so a reconciled
 * record goes the same way (same Idempotency-Key, same mapping) as a live one. Analytics spells the wrap-up
 * {@code wrapUpCode}/{@code wrapUpNote}; the notification {@code wrapupCode}/{@code wrapupNotes}.
 */
public class WrapupFinder {

    /** Findings for each conversation asked about, in order; one analytics did not return is "not found". */
    public List<AnalyticsFindings> findAll(List<String> conversationIds, Map<String, JsonNode> docs) {
        return conversationIds.stream().map(id -> find(id, docs.get(id))).toList();
    }

    public AnalyticsFindings find(String conversationId, JsonNode doc) {
        if (doc == null || doc.isMissingNode() || doc.isNull() || !doc.has("participants")) {
            return new AnalyticsFindings(conversationId, false, false, 0, 0, 0, List.of());
        }
        boolean ended = doc.hasNonNull("conversationEnd");
        int agents = 0;
        int awaiting = 0;
        int skipped = 0;
        List<Map<String, Object>> wrapups = new ArrayList<>();
        for (JsonNode participant : doc.path("participants")) {
            if (!"agent".equals(participant.path("purpose").asText())) {
                continue;
            }
            boolean interacted = false;
            boolean wrapped = false;
            boolean skippedAcw = false;
            for (JsonNode session : participant.path("sessions")) {
                skippedAcw |= session.path("acwSkipped").asBoolean(false);
                for (JsonNode segment : session.path("segments")) {
                    String type = segment.path("segmentType").asText();
                    interacted |= "interact".equals(type);
                    if ("wrapup".equals(type)) {
                        wrapped = true;
                        // without its participant a wrap-up has no Idempotency-Key (acw:{conversation}:{participant})
                        if (participant.hasNonNull("participantId")) {
                            wrapups.add(envelope(conversationId, doc, participant, session, segment));
                        }
                    }
                }
            }
            if (!interacted && !wrapped) {
                continue; // alerted, never connected: owes no wrap-up
            }
            agents++;
            if (skippedAcw && !wrapped) {
                skipped++;
            } else if (!wrapped) {
                awaiting++;
            }
        }
        return new AnalyticsFindings(conversationId, true, ended, agents, awaiting, skipped, wrapups);
    }

    /**
     * The ACW event's fields, in its order, from where analytics keeps them: the session (addresses, callback,
     * provider, media and message type, in lower case there), the wrap-up segment (code, note, queue, subject; the
     * queue and subject of the session's other segments when it has none), the participant (agent), and the
     * conversation's external contacts and organizations from every participant.
     */
    private static Map<String, Object> envelope(String conversationId, JsonNode doc, JsonNode participant,
                                                JsonNode session, JsonNode segment) {
        Map<String, Object> body = new LinkedHashMap<>();
        Instant end = instant(segment.path("segmentEnd").asText(null));
        Instant start = instant(segment.path("segmentStart").asText(null));
        body.put("eventTime", end == null ? null : end.toEpochMilli());
        body.put("conversationId", conversationId);
        body.put("participantId", text(participant, "participantId"));
        body.put("sessionId", text(session, "sessionId"));
        body.put("mediaType", upper(text(session, "mediaType")));
        body.put("provider", text(session, "provider"));
        body.put("direction", upper(text(session, "direction")));
        body.put("ani", text(session, "ani"));
        body.put("dnis", text(session, "dnis"));
        body.put("addressTo", text(session, "addressTo"));
        body.put("addressFrom", text(session, "addressFrom"));
        body.put("callbackUserName", text(session, "callbackUserName"));
        body.put("callbackNumbers", texts(session.path("callbackNumbers")));
        Instant callbackAt = instant(text(session, "callbackScheduledTime"));
        body.put("callbackScheduledTime", callbackAt == null ? null : callbackAt.toEpochMilli());
        body.put("subject", segmentOrSession(segment, session, "subject"));
        body.put("messageType", upper(text(session, "messageType")));
        body.put("userId", text(participant, "userId"));
        body.put("queueId", segmentOrSession(segment, session, "queueId"));
        body.put("wrapupCode", text(segment, "wrapUpCode"));
        body.put("wrapupNotes", text(segment, "wrapUpNote"));
        body.put("wrapupDurationMs", start == null || end == null ? null : end.toEpochMilli() - start.toEpochMilli());
        body.put("conversationExternalContactIds", everyParticipants(doc, "externalContactId"));
        body.put("conversationExternalOrganizationIds", everyParticipants(doc, "externalOrganizationId"));
        body.values().removeIf(java.util.Objects::isNull);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("topicName", AcwTopic.of(conversationId));
        envelope.put("version", "2");
        envelope.put("eventBody", body);
        envelope.put("metadata", Map.of("source", "analytics conversation details"));
        return envelope;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static List<String> texts(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String segmentOrSession(JsonNode segment, JsonNode session, String field) {
        String own = text(segment, field);
        if (own != null) {
            return own;
        }
        for (JsonNode other : session.path("segments")) {
            String value = text(other, field);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Distinct values of a participant field over the whole conversation, in order; null when none has it. */
    private static List<String> everyParticipants(JsonNode doc, String field) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode p : doc.path("participants")) {
            String value = text(p, field);
            if (value != null) {
                out.add(value);
            }
        }
        return out.isEmpty() ? null : new ArrayList<>(out);
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }
}
