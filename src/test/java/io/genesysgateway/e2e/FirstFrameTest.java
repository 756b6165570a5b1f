package io.genesysgateway.e2e;

import java.time.Duration;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.RepeatedTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The simulator writes a frame the instant it accepts each socket. camel-vertx-websocket 4.17's client consumer
 * registers its handler after the handshake, on another thread, and loses such a frame; the gateway's consumer
 * must not.
 */
class FirstFrameTest extends GatewayTestSupport {

    private static final String GREETING =
            "{\"topicName\":\"v2.users.00000000-0000-4000-8000-00000000f1f1.presence\",\"eventBody\":{}}";

    @Override
    protected SimulatorSettings simulatorSettings() {
        // no heartbeats during the test: the greeting is the only frame a new socket gets
        return SimulatorSettings.defaults().withHeartbeatIntervalMillis(600_000).withGreetingFrame(GREETING);
    }

    @RepeatedTest(5)
    void aFrameSentRightAfterTheUpgradeIsReceived() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        // the first socket's greeting can still be on its way when the subscription is done: counted first
        await().atMost(Duration.ofSeconds(10)).until(() -> unrecognised() == simulator.socketsOpened());
        long socketsBefore = simulator.socketsOpened();
        long framesBefore = unrecognised();

        // a new socket on the channel (what a maintenance switch-over does) gets the greeting too
        simulator.socketClosing(channel, 5_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.socketsOpened() == socketsBefore + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> unrecognised() == framesBefore + 1);
        // and every socket the gateway ever opened got its greeting
        assertThat(unrecognised()).isEqualTo(simulator.socketsOpened());
    }

    private long unrecognised() throws Exception {
        return status().getJsonObject("frames").getLong("unrecognised", 0L);
    }
}
