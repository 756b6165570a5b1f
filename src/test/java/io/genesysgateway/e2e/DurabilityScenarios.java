package io.genesysgateway.e2e;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.genesysgateway.sink.HistorySink.Received;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durability promises, end to end over a real socket, a real history service and a real database: history
 * outages, dead letters and their replay, socket gaps reconciled from Genesys analytics, transfers, duplicates, and
 * conversations that end without a wrap-up. Each scenario prints what was emitted, delivered and duplicated.
 * Subclasses choose the store (embedded SQLite, PostgreSQL).
 */
abstract class DurabilityScenarios extends GatewayTestSupport {

    /** The store's settings (store.url ...); the embedded default when nothing is set. */
    protected abstract void storeProperties(Properties p);

    @Override
    protected void gatewayProperties(Properties p) {
        storeProperties(p);
        p.put("history.backoff-millis", "100");
        p.put("history.breaker-open-seconds", "1");
        p.put("history.max-age-seconds", "4");
        p.put("history.recovery-probe-seconds", "1");
        p.put("reconcile.linger-seconds", "2");
        p.put("reconcile.recheck-seconds", "1");
        p.put("reconcile.stale-after-seconds", "3");
        p.put("genesys.reconnect-initial-delay-millis", "200");
    }

    @AfterEach
    void historyAnswersAgain() {
        sink.recover();
        sink.failNext(0, 503);
        simulator.clearFaults();
    }

    @Test
    void wrapUpsDuringAHistoryOutageAllArriveOnceItRecovers() throws Exception {
        List<String> ids = trackMany(20);
        sink.outage(503);
        for (String id : ids) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        // the outage outlasts every record's age limit (the open breaker holds attempts back, the age still counts):
        // all are dead letters, visible in the status
        await().atMost(Duration.ofSeconds(30)).until(() -> status().getLong("deadLetters") == 20);
        assertThat(records(ids)).isEmpty();
        System.out.printf("history outage: %d requests refused, %d dead letters, %s%n", sink.refused(),
                status().getLong("deadLetters"), status().getJsonObject("historyRecords"));

        sink.recover();
        // the recovery probe finds history back and every dead letter is replayed
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(ids) == 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> status().getLong("deadLetters") == 0);
        report("history outage", 20, ids);
        assertThat(duplicated(ids)).isZero();
    }

    @Test
    void aRejectedRecordIsADeadLetterAtOnceAndReplayedOnRequest() throws Exception {
        String id = trackMany(1).get(0);
        sink.failNext(1, 422);
        AcwEvent acw = AcwEvent.sample(id);
        simulator.emitAcw(acw);

        String key = "acw:" + id + ":" + acw.participantId();
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().stream()
                .anyMatch(d -> key.equals(((JsonObject) d).getString("idempotencyKey"))));
        JsonObject letter = deadLetters().stream().map(JsonObject.class::cast)
                .filter(d -> key.equals(d.getString("idempotencyKey"))).findFirst().orElseThrow();
        assertThat(letter.getInteger("attempts")).as("a 422 is not retried").isEqualTo(1);
        assertThat(letter.getString("reason")).isEqualTo("history answered HTTP 422");
        assertThat(letter.getBoolean("replayedOnRecovery")).isFalse();
        // the conversation's state follows in the next commit (route history-dead-lettered)
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(conversation(id).getString("state")).isEqualTo("dead_letter"));

        // other records flowing does not replay it: history refused this one, it was not down
        String other = trackMany(1).get(0);
        simulator.emitAcw(AcwEvent.sample(other));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(other).size() == 1);
        assertThat(sink.forConversation(id)).isEmpty();

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + gatewayPort + "/dead-letters/replay?idempotencyKey=" + key))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(deadLetters()).isNotEmpty();

        HttpResponse<String> replay = post("/dead-letters/replay?idempotencyKey=" + key, "");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(replay.body()).getInteger("replayed")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(sink.forConversation(id).get(0).idempotencyKey()).isEqualTo(key);
        await().atMost(Duration.ofSeconds(10)).until(() -> !conversation(id).getString("state").equals("dead_letter"));
        assertThat(new JsonObject(post("/dead-letters/replay?idempotencyKey=" + key, "").body()).getInteger("replayed"))
                .as("nothing left to replay").isZero();
    }

    @Test
    void wrapUpsPublishedWhileTheSocketWasDownAreReconciled() throws Exception {
        List<String> ids = trackMany(10);
        // five wrap up while all is well
        for (String id : ids.subList(0, 5)) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered(ids) == 5);
        // the socket drops and Genesys keeps failing the reconnect for a while: the other five are lost at the source
        SimChannel channel = simulator.channelWithTopic(topicOf(ids.get(5))).orElseThrow();
        simulator.injectFault("HEAD", "/api/v2/notifications/channels/", 503, 8, 0);
        long lostBefore = simulator.eventsLost();
        simulator.closeSocket(channel.id(), (short) 1011, "server error");
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.hasOpenSocket());
        for (String id : ids.subList(5, 10)) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        assertThat(simulator.eventsLost() - lostBefore).as("published with no socket").isEqualTo(5);

        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(ids) == 10);
        List<Received> reconciled = sink.received().stream().filter(r -> ids.subList(5, 10).contains(conversationOf(r))).toList();
        assertThat(reconciled).extracting(r -> r.body().getString("source")).containsOnly("reconciled");
        assertThat(reconciled).allSatisfy(r -> assertThat(r.body().getString("wrapupCode")).isNotBlank());
        // analytics also holds the five that arrived live: found again, recorded once
        Thread.sleep(2_000);
        report("socket gap", 10, ids);
        assertThat(duplicated(ids)).isZero();
        assertThat(delivered(ids)).isEqualTo(10);
    }

    @Test
    void aTransferredConversationRecordsBothWrapUps() throws Exception {
        String id = trackMany(1).get(0);
        String agentB = UUID.randomUUID().toString();
        simulator.agentJoins(id, agentB); // agent A transfers to agent B, who is still talking
        AcwEvent first = AcwEvent.sample(id);
        simulator.emitAcw(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);

        // past the linger window: analytics says agent B has not wrapped up, so the topic stays
        Thread.sleep(4_000);
        assertThat(simulator.allTopics()).contains(topicOf(id));
        assertThat(conversation(id).getString("state")).isEqualTo("delivered");

        AcwEvent second = first.ofAnotherAgent(agentB, "transferred call, resolved", 20_000);
        simulator.emitAcw(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 2);
        assertThat(sink.forConversation(id)).extracting(r -> r.body().getString("participantId"))
                .containsExactlyInAnyOrder(first.participantId(), agentB);
        assertThat(sink.forConversation(id)).extracting(r -> r.body().getString("source")).containsOnly("live");
        // both in: after the linger window the conversation closes and its topic goes
        await().atMost(Duration.ofSeconds(15)).until(() -> !simulator.allTopics().contains(topicOf(id)));
        await().atMost(Duration.ofSeconds(5)).until(() -> conversation(id).getString("state").equals("completed"));
        report("transfer", 2, List.of(id));
        assertThat(duplicated(List.of(id))).isZero();
    }

    @Test
    void theSameWrapUpTwiceIsOneRecord() throws Exception {
        String id = trackMany(1).get(0);
        AcwEvent acw = AcwEvent.sample(id);
        simulator.emitAcw(acw);
        simulator.emitAcw(acw);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        Thread.sleep(1_500);
        assertThat(sink.forConversation(id)).hasSize(1);
        assertThat(conversation(id).getInteger("acwEvents")).isEqualTo(1);
    }

    @Test
    void conversationsThatEndWithoutAWrapUpAreClosedNotTrackedForever() throws Exception {
        List<String> ids = trackMany(2);
        simulator.endWithoutWrapup(ids.get(0), true);
        simulator.endWithoutWrapup(ids.get(1), false);
        // tracked longer than reconcile.stale-after-seconds without a wrap-up: Genesys is asked
        await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().noneMatch(id -> simulator.allTopics().contains(topicOf(id))));
        JsonObject skipped = conversation(ids.get(0));
        assertThat(skipped.getString("state")).isEqualTo("no_wrapup");
        assertThat(skipped.getString("problem")).isEqualTo("wrap-up skipped by the agent");
        assertThat(skipped.getString("closedAt")).isNotBlank();
        JsonObject noAgent = conversation(ids.get(1));
        assertThat(noAgent.getString("state")).isEqualTo("no_wrapup");
        assertThat(noAgent.getString("problem")).isEqualTo("ended without reaching an agent");
        assertThat(sink.received().stream().filter(r -> ids.contains(conversationOf(r)))).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private List<String> trackMany(int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = newConversationId();
            ids.add(id);
            trackAndAwaitSubscription(id, new JsonObject().put("caseId", "D-" + i));
        }
        return ids;
    }

    private JsonObject conversation(String id) throws Exception {
        return new JsonObject(get("/customers/supportInteraction/" + id).body());
    }

    private JsonArray deadLetters() throws Exception {
        return new JsonArray(get("/dead-letters").body());
    }

    private static String conversationOf(Received r) {
        return r.body().getString("conversationId");
    }

    /** Conversations among {@code ids} with at least one record at the sink. */
    private static long delivered(List<String> ids) {
        return records(ids).stream().map(DurabilityScenarios::conversationOf).distinct().count();
    }

    private static List<Received> records(List<String> ids) {
        return sink.received().stream().filter(r -> ids.contains(conversationOf(r))).toList();
    }

    /** Records received more than once (by Idempotency-Key). */
    private static long duplicated(List<String> ids) {
        List<Received> records = records(ids);
        return records.size() - records.stream().map(Received::idempotencyKey).distinct().count();
    }

    private void report(String scenario, int emitted, List<String> ids) {
        List<Received> records = records(ids);
        System.out.printf("DURABILITY [%s] %s: emitted %d, delivered %d, duplicated %d%n", getClass().getSimpleName(),
                scenario, emitted, records.stream().map(Received::idempotencyKey).distinct().count(), duplicated(ids));
    }
}
