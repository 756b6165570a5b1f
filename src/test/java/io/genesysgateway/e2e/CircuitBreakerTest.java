package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A Genesys outage opens the circuit breaker of route genesys-api: triggers wait as pending, no request storm. */
class CircuitBreakerTest extends GatewayTestSupport {

    private static final String SUBSCRIPTIONS = "/api/v2/notifications/channels/";

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("genesys.breaker-open-seconds", "2");
    }

    @Test
    void aGenesysOutageTripsTheCircuitBreakerInsteadOfARequestStorm() throws Exception {
        trackAndAwaitSubscription(newConversationId(), new JsonObject()); // a channel exists; the outage hits subscribes
        simulator.injectFault("POST", SUBSCRIPTIONS, 503, 1_000, 0);
        int before = simulator.requests().size();
        for (int i = 0; i < 8; i++) {
            var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", newConversationId()).encode());
            assertThat(new JsonObject(response.body()).getString("state")).isEqualTo("pending");
            Thread.sleep(300); // one subscription batch per trigger
        }
        Thread.sleep(3_000);
        int sent = simulator.requests().size() - before;
        System.out.printf("8 triggers during an outage sent %d requests to Genesys (without a breaker: 32)%n", sent);
        assertThat(sent).isLessThan(8 * 4);
        simulator.clearFaults();
        // once the breaker lets calls through again, the pending conversations get their subscriptions
        await().atMost(Duration.ofSeconds(30)).until(() -> status().getJsonObject("conversations").getLong("pending") == 0);
    }

}
