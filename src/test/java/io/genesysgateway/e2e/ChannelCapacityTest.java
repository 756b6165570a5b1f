package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Past the channel ceiling triggers get 503 with Retry-After; no live channel is evicted. */
class ChannelCapacityTest extends GatewayTestSupport {

    @Override
    protected void gatewayProperties(Properties p) {
        // two carry topics, the third is the spare a move needs
        p.put("genesys.max-channels", "3");
        p.put("genesys.max-topics-per-channel", "5");
    }

    @Test
    void theCeilingAnswers503AndEvictsNothing() throws Exception {
        for (int i = 0; i < 10; i++) {
            trackAndAwaitSubscription(newConversationId(), new JsonObject());
        }
        Set<String> channels = simulator.channels().stream().map(SimChannel::id).collect(Collectors.toSet());
        assertThat(channels).hasSize(2);

        String refused = newConversationId();
        var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", refused).encode());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("channel capacity reached");
        assertThat(get("/customers/supportInteraction/" + refused).statusCode()).as("not tracked").isEqualTo(404);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> simulator.channels().stream().map(SimChannel::id).collect(Collectors.toSet()).equals(channels));
        assertThat(simulator.channels()).allMatch(SimChannel::hasOpenSocket);
        assertThat(status().getLong("capacityRejections")).isEqualTo(1);
        assertThat(get("/observe/metrics").body()).contains("genesys_gateway_capacity_rejections_total 1.0");
    }
}
