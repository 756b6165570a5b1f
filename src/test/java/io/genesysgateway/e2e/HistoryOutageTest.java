package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Communication History down: deliveries retry with back-off, readiness says why, the record arrives once. */
class HistoryOutageTest extends GatewayTestSupport {

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("history.max-attempts", "6");
        p.put("history.backoff-millis", "100");
        p.put("history.unready-after-failures", "3");
        // ten failures in a row open the history breaker; records then wait this long, not counted as attempts
        p.put("history.breaker-open-seconds", "1");
    }

    @Test
    void aShortOutageIsRetriedAndReadinessReportsIt() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        double retriedBefore = retried();
        sink.failNext(4, 503);

        simulator.emitAcw(AcwEvent.sample(id));

        await().atMost(Duration.ofSeconds(10)).until(() -> get("/observe/health/ready").body().contains("history deliveries failed"));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(sink.duplicates()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(get("/observe/health/ready").body()).startsWith("{\"status\":\"UP\""));
        assertThat(retried() - retriedBefore).isEqualTo(4.0);
    }

    private double retried() throws Exception {
        var m = java.util.regex.Pattern.compile("genesys_gateway_deliveries_total\\{outcome=\"retried\"} ([0-9.]+)")
                .matcher(get("/observe/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aLongOutageEndsInTheDeadLetterStoreVisibly() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        sink.failNext(100, 503);

        simulator.emitAcw(AcwEvent.sample(id));

        await().atMost(Duration.ofSeconds(40)).until(() -> status().getLong("deadLetters") == 1);
        JsonObject conversation = new JsonObject(get("/customers/supportInteraction/" + id).body());
        assertThat(conversation.getString("state")).isEqualTo("dead_letter");
        assertThat(conversation.getString("problem")).contains("503");
        assertThat(sink.forConversation(id)).isEmpty();
        sink.failNext(0, 503);
    }
}
