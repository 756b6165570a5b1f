package io.genesysgateway.e2e;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Only a wrap-up of a tracked conversation reaches history: one for a conversation the gateway does not track is
 * counted and logged once per conversation; a malformed ACW frame is a counted malformed frame, one WARN line per
 * cause, no stack trace.
 */
class UntrackedAndMalformedAcwTest extends GatewayTestSupport {

    @Test
    void anAcwForAConversationNotTrackedIsNotSentCountedAndLoggedOnce() throws Exception {
        String tracked = newConversationId();
        trackAndAwaitSubscription(tracked, new JsonObject().put("caseId", "T-1"));
        String channel = simulator.channelWithTopic(topicOf(tracked)).orElseThrow().id();
        long before = frames().getLong("acw_untracked", 0L);
        long recordsBefore = storedRecords();
        int mark = LogCapture.lines().size();

        // Genesys would not send it on this channel, but a frame is a frame: three wrap-ups of a stranger
        String stranger = newConversationId();
        for (int i = 0; i < 3; i++) {
            assertThat(simulator.sendRaw(channel, envelope(AcwEvent.sample(stranger)))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> frames().getLong("acw_untracked", 0L) - before == 3);
        // a tracked one right after goes through: the untracked ones are behind it on the same socket
        simulator.emitAcw(AcwEvent.sample(tracked));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(tracked).size() == 1);

        assertThat(sink.forConversation(stranger)).as("not sent to history").isEmpty();
        // nothing written for them: the store's outbox holds the tracked one only (written after them)
        await().atMost(Duration.ofSeconds(5)).until(() -> storedRecords() == recordsBefore + 1);
        assertThat(get("/customers/supportInteraction/" + stranger).statusCode()).as("not tracked by it either")
                .isEqualTo(404);
        List<String> log = LogCapture.lines().subList(mark, LogCapture.lines().size());
        assertThat(log.stream().filter(l -> l.contains(stranger) && l.contains("does not track")))
                .as("logged once per conversation").hasSize(1);
        assertThat(log).noneMatch(l -> l.contains("] ERROR "));
        assertThat(metrics()).contains("genesys_gateway_acw_untracked_total " + (double) (before + 3));
    }

    @Test
    void aLateWrapUpOfAClosedConversationStillCounts() throws Exception {
        // closed by reconciliation (analytics: every agent wrapped up), not purged: its row and context are there
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "L-1"));
        // a channel emptied by the close is retired: another conversation keeps a socket open to send on
        String other = newConversationId();
        trackAndAwaitSubscription(other, new JsonObject());
        AcwEvent first = AcwEvent.sample(id);
        simulator.emitAcw(first);
        await().atMost(Duration.ofSeconds(15)).until(() -> conversation(id).getString("state").equals("completed"));

        // another agent's wrap-up after the close (e.g. after a transfer) still reaches history, with the context
        AcwEvent late = first.ofAnotherAgent(UUID.randomUUID().toString(), "late wrap-up", 10_000);
        String channel = simulator.channelWithTopic(topicOf(other)).orElseThrow().id();
        assertThat(simulator.sendRaw(channel, envelope(late))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 2);
        JsonObject record = sink.forConversation(id).stream().map(r -> r.body())
                .filter(b -> late.participantId().equals(b.getString("participantId"))).findFirst().orElseThrow();
        assertThat(record.getJsonObject("context").getString("caseId")).isEqualTo("L-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> conversation(id).getString("state").equals("completed"));
        assertThat(conversation(id).getInteger("acwEvents")).isEqualTo(2);
    }

    @Test
    void malformedAcwFramesAreCountedMalformedWithOneWarningPerCauseAndNoStackTrace() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "M-1"));
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        String topic = topicOf(id);
        JsonObject good = AcwEvent.sample(id).toEventBody();
        List<String> frames = List.of(
                frame(topic, "\"this is a string\""),
                frame(topic, "[1,2]"),
                frame(topic, good.copy().putNull("conversationId").encode()),
                frame(topic, without(good, "participantId").encode()),
                frame(topic, good.copy().put("participantId", "agent-7").encode()),
                frame(topic, good.copy().put("conversationId", "not-a-uuid").encode()),
                frame(topic, good.copy().put("conversationId", UUID.randomUUID().toString()).encode()),
                frame(topic, good.copy().put("eventTime", "2026-01-01T00:00:00Z").encode()));
        long before = frames().getLong("malformed", 0L);
        int mark = LogCapture.lines().size();
        for (int round = 0; round < 2; round++) {
            for (String f : frames) {
                assertThat(simulator.sendRaw(channel, f)).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> frames().getLong("malformed", 0L) - before == 16);
        // the socket carries on: a good ACW after them is recorded
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(sink.received()).noneMatch(r -> r.body().encode().contains("agent-7"));

        List<String> log = LogCapture.lines().subList(mark, LogCapture.lines().size());
        List<String> warnings = log.stream().filter(l -> l.contains("Ignoring a malformed socket frame")
                && l.contains(" ACW ")).toList();
        warnings.forEach(System.out::println);
        // seven causes (a string and an array are both "not a JSON object")
        assertThat(warnings).as("one line per cause, however many frames had it").hasSize(7).doesNotHaveDuplicates();
        assertThat(log).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("] ERROR "));
        assertThat(metrics()).containsPattern("genesys_gateway_frames_total\\{kind=\"malformed\"} " + (double) (before + 16));
    }

    @Test
    void aChannelMetadataFrameWithoutAnObjectEventBodyIsMalformedAndTheSocketCarriesOn() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "M-2"));
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        long malformed = frames().getLong("malformed", 0L);
        long heartbeats = frames().getLong("heartbeat", 0L);
        int mark = LogCapture.lines().size();
        for (String eventBody : List.of("\"WebSocket Heartbeat\"", "[\"pong\"]", "null")) {
            assertThat(simulator.sendRaw(channel, frame("channel.metadata", eventBody))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> frames().getLong("malformed", 0L) - malformed == 3);
        assertThat(frames().getLong("heartbeat", 0L)).isEqualTo(heartbeats);
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        List<String> log = LogCapture.lines().subList(mark, LogCapture.lines().size());
        assertThat(log).filteredOn(l -> l.contains("channel.metadata frame whose eventBody is not an object")).hasSize(1);
        assertThat(log).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("] ERROR "));
    }

    private static String envelope(AcwEvent acw) {
        return frame(topicOf(acw.conversationId()), acw.toEventBody().encode());
    }

    private static String frame(String topic, String eventBody) {
        return "{\"topicName\":\"" + topic + "\",\"version\":\"2\",\"eventBody\":" + eventBody
                + ",\"metadata\":{\"CorrelationId\":\"" + UUID.randomUUID() + "\"}}";
    }

    private static JsonObject without(JsonObject body, String field) {
        JsonObject copy = body.copy();
        copy.remove(field);
        return copy;
    }

    /** History records in the store's outbox, whatever their state. */
    private long storedRecords() throws Exception {
        return status().getJsonObject("historyRecords").getMap().values().stream()
                .mapToLong(v -> ((Number) v).longValue()).sum();
    }

    private JsonObject frames() throws Exception {
        return status().getJsonObject("frames");
    }

    private JsonObject conversation(String id) throws Exception {
        return new JsonObject(get("/customers/supportInteraction/" + id).body());
    }

    private String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
