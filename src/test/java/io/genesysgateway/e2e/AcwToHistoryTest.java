package io.genesysgateway.e2e;

import java.time.Duration;
import java.time.Instant;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Trigger → subscribed at the simulator → ACW emitted → record at the history sink → topic unsubscribed. */
class AcwToHistoryTest extends GatewayTestSupport {

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

        AcwEvent acw = AcwEvent.sample(id);
        assertThat(simulator.emitAcw(acw)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        HistorySink.Received record = sink.forConversation(id).get(0);
        JsonObject body = record.body();
        assertThat(body.getString("participantId")).isEqualTo(acw.participantId());
        assertThat(body.getString("userId")).isEqualTo(acw.userId());
        assertThat(body.getString("queueId")).isEqualTo(acw.queueId());
        assertThat(body.getString("wrapupCode")).isEqualTo(acw.wrapupCode());
        assertThat(body.getString("wrapupNotes")).isEqualTo(acw.wrapupNotes());
        assertThat(body.getLong("wrapupDurationMs")).isEqualTo(acw.wrapupDurationMs());
        assertThat(Instant.parse(body.getString("eventTime"))).isEqualTo(Instant.ofEpochMilli(acw.eventTime()));
        assertThat(body.getString("eventTime")).endsWith("Z");
        assertThat(body.getString("mediaType")).isEqualTo("VOICE");
        assertThat(body.getString("direction")).isEqualTo("INBOUND");
        assertThat(body.getString("ani")).isEqualTo(acw.ani());
        assertThat(body.getString("dnis")).isEqualTo(acw.dnis());
        assertThat(body.getJsonObject("context").getString("customerId")).isEqualTo("C-1001");
        assertThat(body.getJsonObject("context").getString("caseId")).isEqualTo("CASE-77");
        assertThat(body.getJsonObject("context").getInteger("priority")).isEqualTo(2);
        assertThat(body.getString("source")).isEqualTo("live");
        // one wrap-up per agent participant: the key is what reconciliation would compute for the same wrap-up
        assertThat(record.idempotencyKey()).isEqualTo("acw:" + id + ":" + acw.participantId());

        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.allTopics().stream().noneMatch(t -> t.contains(id)));
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(get("/customers/supportInteraction/" + id).body())
                .containsKey("closedAt"));
        JsonObject status = new JsonObject(get("/customers/supportInteraction/" + id).body());
        // Genesys analytics says it ended with every wrap-up in: closed for good
        assertThat(status.getString("state")).isEqualTo("completed");
        assertThat(status.getString("deliveredAt")).isNotBlank();
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
