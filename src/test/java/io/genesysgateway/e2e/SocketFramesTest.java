package io.genesysgateway.e2e;

import java.time.Duration;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every socket frame goes through the content-based router; nothing but ACW events reaches history. */
class SocketFramesTest extends GatewayTestSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withHeartbeatIntervalMillis(100);
    }

    @Test
    void heartbeatsAreCountedAndNeverReachHistory() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        await().atMost(Duration.ofSeconds(10)).until(() -> frames().getLong("heartbeat", 0L) >= 5);
        assertThat(sink.forConversation(id)).isEmpty();
        assertThat(sink.received()).noneMatch(r -> r.body().encode().contains("Heartbeat"));
    }

    @Test
    void unknownTopicsAndMalformedFramesAreSurvivedCountedAndLoggedOnce() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "K-1"));
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        String unknown = "{\"topicName\":\"v2.users.8a0c2a2e-0000-4000-8000-000000000001.presence\",\"eventBody\":{}}";

        for (int i = 0; i < 3; i++) {
            assertThat(simulator.sendRaw(channel, unknown)).isTrue();
            simulator.sendRaw(channel, "this is not JSON");
            simulator.sendRaw(channel, "{\"eventBody\":{\"message\":\"no topic\"}}");
            simulator.sendRaw(channel, "[1,2,3]");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> frames().getLong("unrecognised", 0L) == 3
                && frames().getLong("malformed", 0L) == 9);

        AcwEvent acw = AcwEvent.sample(id);
        simulator.emitAcw(acw);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(sink.forConversation(id).get(0).body().getJsonObject("context").getString("caseId")).isEqualTo("K-1");

        assertThat(LogCapture.lines().stream().filter(l -> l.contains("v2.users.8a0c2a2e")).count())
                .as("an unexpected topic is logged once").isEqualTo(1);
        assertThat(LogCapture.errors()).isEmpty();
    }

    private JsonObject frames() throws Exception {
        return status().getJsonObject("frames");
    }
}
