package io.genesysgateway.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Trigger → subscribed at the simulator → ACW emitted → record at the history sink → topic unsubscribed. */
class AcwToHistoryTest extends GatewayTestSupport {

    @Override
    protected void gatewayProperties(Properties p) {
        // a silent socket is noticed within about 2 s (the reconciled-record test makes one)
        p.put("genesys.liveness-window-millis", "1000");
        p.put("genesys.pong-timeout-millis", "1000");
    }

    @Test
    void wrapUpReachesHistoryWithItsContextAndTheTopicIsUnsubscribed() throws Exception {
        String id = newConversationId();
        JsonObject answer = trackAndAwaitSubscription(id, new JsonObject().put("customerId", "C-1001")
                .put("caseId", "CASE-77").put("priority", 2));
        assertThat(answer.getString("conversationId")).isEqualTo(id);
        assertThat(answer.getString("state")).as("the subscription follows the answer").isIn("pending", "subscribed");
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(get("/customers/supportInteraction/" + id).body())
                .getString("state").equals("subscribed"));
        assertThat(answer.getBoolean("newlyTracked")).isTrue();

        // a wrap-up past 2^31 ms long (an int would overflow): the event's times are all 64-bit
        AcwEvent acw = AcwEvent.sample(id).withTimes(System.currentTimeMillis(), 3_000_000_123L,
                System.currentTimeMillis() + 86_400_000L);
        long emitted = System.nanoTime();
        assertThat(simulator.emitAcw(acw)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        System.out.printf("live ACW in history after %d ms%n", (System.nanoTime() - emitted) / 1_000_000);
        HistorySink.Received record = sink.forConversation(id).get(0);
        JsonObject body = record.body();
        assertCarriesEveryFieldOf(body, acw);
        assertThat(body.getString("utilizationLabel")).as("a field newer than the SDK model passes through")
                .isEqualTo(acw.laterFields().get("utilizationLabel"));
        assertThat(body.getString("eventTime")).endsWith("Z");
        assertThat(body.getJsonObject("context").getString("customerId")).isEqualTo("C-1001");
        assertThat(body.getJsonObject("context").getString("caseId")).isEqualTo("CASE-77");
        assertThat(body.getJsonObject("context").getInteger("priority")).isEqualTo(2);
        assertThat(body.getString("source")).isEqualTo("live");
        // one wrap-up per agent participant: the key is what reconciliation would compute for the same wrap-up
        assertThat(record.idempotencyKey()).isEqualTo("acw:" + id + ":" + acw.participantId());
        // tracing is off by default: no trace header of any kind goes to history
        assertThat(record.headers()).doesNotContainKeys("traceparent", "tracestate", "baggage");
        assertThat(record.headers().keySet()).noneMatch(h -> h.startsWith("camel"));
        System.out.println("headers of the history request: " + record.headers().keySet());
        // nothing of the gateway's own bookkeeping goes with the record: the Idempotency-Key and the body's type only
        assertThat(record.headers().keySet()).map(h -> h.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("conversationid", "acwsource", "genesyschannelid", "genesyssocketrouteid", "topicname");

        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.allTopics().stream().noneMatch(t -> t.contains(id)));
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(get("/customers/supportInteraction/" + id).body())
                .containsKey("closedAt"));
        JsonObject status = new JsonObject(get("/customers/supportInteraction/" + id).body());
        // Genesys analytics says it ended with every wrap-up in: closed for good
        assertThat(status.getString("state")).isEqualTo("completed");
        assertThat(status.getString("deliveredAt")).isNotBlank();
    }

    @Test
    void aWrapUpMissedDuringASocketGapIsRecordedWithWhatAnalyticsHasOfIt() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "R-5"));
        // the connection dies without a close frame: what Genesys publishes meanwhile is lost at the source, until
        // the gateway notices (no pong) and opens another socket; the gap is then reconciled from analytics
        SimChannel channel = simulator.channelWithTopic(topicOf(id)).orElseThrow();
        simulator.silenceSocket(channel.id());
        AcwEvent acw = AcwEvent.sample(id).withTimes(System.currentTimeMillis(), 3_000_000_123L,
                System.currentTimeMillis() + 86_400_000L);
        long emitted = System.nanoTime();
        assertThat(simulator.emitAcw(acw)).as("published with no socket").isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> sink.forConversation(id).size() == 1);
        System.out.printf("reconciled ACW in history after %d ms%n", (System.nanoTime() - emitted) / 1_000_000);
        JsonObject body = sink.forConversation(id).get(0).body();
        assertThat(body.getString("source")).isEqualTo("reconciled");
        // analytics holds every field of the event in its own shape (session, segment, participants)
        assertCarriesEveryFieldOf(body, acw);
        assertThat(body.containsKey("utilizationLabel")).as("not in analytics").isFalse();
        assertThat(body.getJsonObject("context").getString("caseId")).isEqualTo("R-5");
    }

    /** The 23 fields of Genesys' ACW event model, as the default mapping renders them. */
    private static void assertCarriesEveryFieldOf(JsonObject body, AcwEvent acw) {
        assertThat(Instant.parse(body.getString("eventTime"))).isEqualTo(Instant.ofEpochMilli(acw.eventTime()));
        assertThat(body.getString("conversationId")).isEqualTo(acw.conversationId());
        assertThat(body.getString("participantId")).isEqualTo(acw.participantId());
        assertThat(body.getString("sessionId")).isEqualTo(acw.sessionId());
        assertThat(body.getString("mediaType")).isEqualTo("VOICE");
        assertThat(body.getString("provider")).isEqualTo(acw.provider());
        assertThat(body.getString("direction")).isEqualTo("INBOUND");
        assertThat(body.getString("ani")).isEqualTo(acw.ani());
        assertThat(body.getString("dnis")).isEqualTo(acw.dnis());
        assertThat(body.getString("addressTo")).isEqualTo(acw.addressTo());
        assertThat(body.getString("addressFrom")).isEqualTo(acw.addressFrom());
        assertThat(body.getString("callbackUserName")).isEqualTo(acw.callbackUserName());
        assertThat(body.getJsonArray("callbackNumbers").getList()).isEqualTo(acw.callbackNumbers());
        assertThat(Instant.parse(body.getString("callbackScheduledTime")))
                .isEqualTo(Instant.ofEpochMilli(acw.callbackScheduledTime()));
        assertThat(body.getString("subject")).isEqualTo(acw.subject());
        assertThat(body.getString("messageType")).isEqualTo("SMS");
        assertThat(body.getString("userId")).isEqualTo(acw.userId());
        assertThat(body.getString("queueId")).isEqualTo(acw.queueId());
        assertThat(body.getString("wrapupCode")).isEqualTo(acw.wrapupCode());
        assertThat(body.getString("wrapupNotes")).isEqualTo(acw.wrapupNotes());
        assertThat(body.getLong("wrapupDurationMs")).isEqualTo(acw.wrapupDurationMs()).isGreaterThan(Integer.MAX_VALUE);
        assertThat(body.getJsonArray("conversationExternalContactIds").getList())
                .isEqualTo(acw.conversationExternalContactIds());
        assertThat(body.getJsonArray("conversationExternalOrganizationIds").getList())
                .isEqualTo(acw.conversationExternalOrganizationIds());
    }

    @Test
    void theSameConversationTriggeredTwiceIsTrackedOnce() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("customerId", "C-2"));
        long subscribeCalls = simulator.requests(r -> r.path().endsWith("/subscriptions") && r.body().contains(id)).size();

        var second = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(second.body()).getBoolean("newlyTracked")).isFalse();
        assertThat(simulator.requests(r -> r.path().endsWith("/subscriptions") && r.body().contains(id)))
                .hasSize((int) subscribeCalls);
    }

    @Test
    void statusOfAnUnknownConversationIs404() throws Exception {
        var response = get("/customers/supportInteraction/" + newConversationId());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("not tracked");
    }
}
