package io.genesysgateway.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading an analytics conversation-details document the way the reference describes it. */
class WrapupFinderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WrapupFinder finder = new WrapupFinder();

    @Test
    void aWrapUpSegmentBecomesTheNotificationTheSocketWouldHaveCarried() throws Exception {
        AnalyticsFindings f = finder.find("c1", doc("""
                {"conversationId":"c1","conversationEnd":"2026-11-25T10:05:00Z","participants":[
                  {"participantId":"cust","purpose":"customer","sessions":[]},
                  {"participantId":"a1","purpose":"agent","userId":"u1","sessions":[{"sessionId":"s1","mediaType":"voice",
                    "direction":"inbound","ani":"tel:+1","dnis":"tel:+2","segments":[
                      {"segmentType":"interact","segmentStart":"2026-11-25T10:00:00Z","segmentEnd":"2026-11-25T10:04:00Z"},
                      {"segmentType":"wrapup","segmentStart":"2026-11-25T10:04:00Z","segmentEnd":"2026-11-25T10:04:45Z",
                       "wrapUpCode":"code-1","wrapUpNote":"resolved","queueId":"q1"}]}]}]}"""));

        assertThat(f.complete()).isTrue();
        assertThat(f.agents()).isEqualTo(1);
        assertThat(f.wrapups()).hasSize(1);
        Map<String, Object> envelope = f.wrapups().get(0);
        assertThat(envelope.get("topicName")).isEqualTo("v2.detail.events.conversation.c1.acw");
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) envelope.get("eventBody");
        // analytics spells it wrapUpCode / wrapUpNote, the notification wrapupCode / wrapupNotes
        assertThat(body).containsEntry("wrapupCode", "code-1").containsEntry("wrapupNotes", "resolved")
                .containsEntry("participantId", "a1").containsEntry("userId", "u1").containsEntry("queueId", "q1")
                .containsEntry("mediaType", "VOICE").containsEntry("direction", "INBOUND")
                .containsEntry("wrapupDurationMs", 45_000L)
                .containsEntry("eventTime", java.time.Instant.parse("2026-11-25T10:04:45Z").toEpochMilli());
    }

    @Test
    void everyFieldOfTheEventThatAnalyticsHasIsRebuilt() throws Exception {
        AnalyticsFindings f = finder.find("c5", doc("""
                {"conversationId":"c5","conversationEnd":"2026-11-25T10:05:00Z","participants":[
                  {"participantId":"cust","purpose":"customer","externalContactId":"ec1","externalOrganizationId":"eo1",
                   "sessions":[]},
                  {"participantId":"ext","purpose":"external","externalContactId":"ec2","sessions":[]},
                  {"participantId":"a1","purpose":"agent","userId":"u1","sessions":[{"sessionId":"s1",
                    "mediaType":"callback","provider":"Edge","direction":"outbound","ani":"tel:+1","dnis":"tel:+2",
                    "addressTo":"tel:+2","addressFrom":"tel:+1","callbackUserName":"Ada",
                    "callbackNumbers":["tel:+1","tel:+3"],"callbackScheduledTime":"2026-11-26T09:00:00.250Z",
                    "messageType":"whatsapp","segments":[
                      {"segmentType":"interact","segmentStart":"2000-01-01T00:00:00Z","segmentEnd":"2026-11-25T10:04:00Z",
                       "queueId":"q1","subject":"Invoice 4411"},
                      {"segmentType":"wrapup","segmentStart":"2000-01-01T00:00:00Z","segmentEnd":"2026-11-25T10:04:45.123Z",
                       "wrapUpCode":"code-1","wrapUpNote":"resolved"}]}]}]}"""));

        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) f.wrapups().get(0).get("eventBody");
        long end = Instant.parse("2026-11-25T10:04:45.123Z").toEpochMilli();
        assertThat(body).containsExactly(
                Map.entry("eventTime", end),
                Map.entry("conversationId", "c5"),
                Map.entry("participantId", "a1"),
                Map.entry("sessionId", "s1"),
                Map.entry("mediaType", "CALLBACK"),
                Map.entry("provider", "Edge"),
                Map.entry("direction", "OUTBOUND"),
                Map.entry("ani", "tel:+1"),
                Map.entry("dnis", "tel:+2"),
                Map.entry("addressTo", "tel:+2"),
                Map.entry("addressFrom", "tel:+1"),
                Map.entry("callbackUserName", "Ada"),
                Map.entry("callbackNumbers", List.of("tel:+1", "tel:+3")),
                Map.entry("callbackScheduledTime", Instant.parse("2026-11-26T09:00:00.250Z").toEpochMilli()),
                // the wrap-up segment has no subject or queue of its own: the session's other segments have
                Map.entry("subject", "Invoice 4411"),
                Map.entry("messageType", "WHATSAPP"),
                Map.entry("userId", "u1"),
                Map.entry("queueId", "q1"),
                Map.entry("wrapupCode", "code-1"),
                Map.entry("wrapupNotes", "resolved"),
                // 26 years of wrap-up: far past 2^31 ms, kept exact
                Map.entry("wrapupDurationMs", end - Instant.parse("2000-01-01T00:00:00Z").toEpochMilli()),
                Map.entry("conversationExternalContactIds", List.of("ec1", "ec2")),
                Map.entry("conversationExternalOrganizationIds", List.of("eo1")));
        assertThat((Long) body.get("wrapupDurationMs")).isGreaterThan((long) Integer.MAX_VALUE);
    }

    @Test
    void anAgentStillTalkingKeepsTheConversationOpen() throws Exception {
        AnalyticsFindings f = finder.find("c2", doc("""
                {"conversationId":"c2","participants":[
                  {"participantId":"a1","purpose":"agent","sessions":[{"segments":[{"segmentType":"interact"},
                    {"segmentType":"wrapup","segmentStart":"2026-11-25T10:04:00Z","segmentEnd":"2026-11-25T10:04:45Z"}]}]},
                  {"participantId":"a2","purpose":"agent","sessions":[{"segments":[{"segmentType":"interact"}]}]}]}"""));
        assertThat(f.complete()).isFalse();
        assertThat(f.awaitingWrapup()).isEqualTo(1);
        assertThat(f.wrapups()).hasSize(1);
        assertThat(f.waitingFor()).isEqualTo("conversation still active");
    }

    @Test
    void skippedWrapUpsAndAlertedAgentsOweNothing() throws Exception {
        AnalyticsFindings f = finder.find("c3", doc("""
                {"conversationId":"c3","conversationEnd":"2026-11-25T10:05:00Z","participants":[
                  {"participantId":"rang","purpose":"agent","sessions":[{"segments":[{"segmentType":"alert"}]}]},
                  {"participantId":"a1","purpose":"agent","sessions":[{"acwSkipped":true,"segments":[{"segmentType":"interact"}]}]}]}"""));
        assertThat(f.complete()).isTrue();
        assertThat(f.agents()).isEqualTo(1);
        assertThat(f.skipped()).isEqualTo(1);
        assertThat(f.wrapups()).isEmpty();
        assertThat(f.whyNoWrapup()).isEqualTo("wrap-up skipped by the agent");
    }

    @Test
    void aConversationAnalyticsDoesNotKnowIsNotFound() {
        AnalyticsFindings f = finder.find("c4", null);
        assertThat(f.found()).isFalse();
        assertThat(f.complete()).isFalse();
        assertThat(f.waitingFor()).isEqualTo("not in Genesys analytics yet");
    }

    private static JsonNode doc(String json) throws Exception {
        return JSON.readTree(json);
    }
}
