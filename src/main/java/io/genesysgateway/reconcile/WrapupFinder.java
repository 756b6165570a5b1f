package io.genesysgateway.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.genesysgateway.channel.ChannelPool;

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
                        wrapups.add(envelope(conversationId, participant, session, segment));
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

    private static Map<String, Object> envelope(String conversationId, JsonNode participant, JsonNode session, JsonNode segment) {
        Map<String, Object> body = new LinkedHashMap<>();
        Instant end = instant(segment.path("segmentEnd").asText(null));
        Instant start = instant(segment.path("segmentStart").asText(null));
        if (end != null) {
            body.put("eventTime", end.toEpochMilli());
        }
        body.put("conversationId", conversationId);
        body.put("participantId", participant.path("participantId").asText(null));
        body.put("sessionId", session.path("sessionId").asText(null));
        body.put("mediaType", upper(session.path("mediaType").asText(null)));
        body.put("direction", upper(session.path("direction").asText(null)));
        body.put("ani", session.path("ani").asText(null));
        body.put("dnis", session.path("dnis").asText(null));
        body.put("userId", participant.path("userId").asText(null));
        body.put("queueId", segment.path("queueId").asText(null));
        body.put("wrapupCode", segment.path("wrapUpCode").asText(null));
        body.put("wrapupNotes", segment.path("wrapUpNote").asText(null));
        if (start != null && end != null) {
            body.put("wrapupDurationMs", end.toEpochMilli() - start.toEpochMilli());
        }
        body.values().removeIf(java.util.Objects::isNull);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("topicName", ChannelPool.topicOf(conversationId));
        envelope.put("version", "2");
        envelope.put("eventBody", body);
        envelope.put("metadata", Map.of("source", "analytics conversation details"));
        return envelope;
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
