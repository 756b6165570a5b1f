package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What Genesys does to sockets and channels, injected at the simulator; asserted at the history sink: nothing
 * lost that Genesys delivered, nothing duplicated, and the gateway ready again afterwards.
 */
class ResilienceTest extends GatewayTestSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withHeartbeatIntervalMillis(300);
    }

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("genesys.liveness-window-millis", "1000");
        p.put("genesys.pong-timeout-millis", "1000");
        p.put("genesys.reconnect-initial-delay-millis", "100");
    }

    @Test
    void maintenanceCloseWhileEventsFlowLosesAndDuplicatesNothing() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = newConversationId();
            trackAndAwaitSubscription(id, new JsonObject().put("n", i));
            ids.add(id);
        }
        SimChannel channel = simulator.channelWithTopic(topicOf(ids.get(0))).orElseThrow();
        long lostBefore = simulator.eventsLost();
        int socketsBefore = simulator.socketsOpened();
        long gapsBefore = status().getLong("gapWindows");

        for (int i = 0; i < ids.size(); i++) {
            if (i == 10) {
                simulator.socketClosing(channel.id(), 1_000);
            }
            simulator.emitAcw(AcwEvent.sample(ids.get(i)));
            Thread.sleep(50);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> sink.forConversation(id).size() >= 1));
        assertThat(simulator.socketsOpened()).as("a replacement socket was opened").isGreaterThan(socketsBefore);
        assertThat(simulator.eventsLost() - lostBefore).as("events Genesys could not deliver").isZero();
        assertThat(ids).allSatisfy(id -> assertThat(sink.forConversation(id)).hasSize(1));
        assertThat(sink.duplicates()).isEmpty();
        assertThat(status().getLong("gapWindows")).as("make-before-break leaves no gap").isEqualTo(gapsBefore);
        awaitReady();
    }

    @Test
    void abruptCloseIsRepairedOnTheSameChannelAndTheGapRecorded() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        SimChannel channel = simulator.channelWithTopic(topicOf(id)).orElseThrow();
        long gapsBefore = status().getLong("gapWindows");

        simulator.closeSocket(channel.id(), (short) 1011, "server error");

        await().atMost(Duration.ofSeconds(15)).until(() -> status().getLong("gapWindows") == gapsBefore + 1);
        assertThat(simulator.channel(channel.id()).orElseThrow().hasOpenSocket()).isTrue();
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        JsonObject lastGap = status().getJsonObject("lastGap");
        assertThat(lastGap.getString("channelId")).isEqualTo(channel.id());
        assertThat(lastGap.getString("why")).contains("1011");
        awaitReady();
    }

    @Test
    void aSilentlyDeadConnectionIsFoundByPingAndReplaced() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        SimChannel channel = simulator.channelWithTopic(topicOf(id)).orElseThrow();
        long gapsBefore = status().getLong("gapWindows");

        simulator.silenceSocket(channel.id());

        await().atMost(Duration.ofSeconds(20)).until(() -> status().getLong("gapWindows") == gapsBefore + 1);
        assertThat(status().getJsonObject("lastGap").getString("why")).contains("no heartbeat or pong");
        assertThat(status().getJsonObject("sockets").getLong("pingsSent")).isPositive();
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        awaitReady();
    }

    @Test
    void anExpiredChannelIsReplacedAndItsTopicsMoved() throws Exception {
        String first = newConversationId();
        String second = newConversationId();
        trackAndAwaitSubscription(first, new JsonObject());
        trackAndAwaitSubscription(second, new JsonObject());
        SimChannel old = simulator.channelWithTopic(topicOf(first)).orElseThrow();

        simulator.expireChannel(old.id());

        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(topicOf(first))
                .filter(c -> !c.id().equals(old.id()) && c.hasOpenSocket()).isPresent());
        assertThat(simulator.channelWithTopic(topicOf(second)).orElseThrow().id())
                .isEqualTo(simulator.channelWithTopic(topicOf(first)).orElseThrow().id());
        simulator.emitAcw(AcwEvent.sample(first));
        simulator.emitAcw(AcwEvent.sample(second));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(first).size() == 1
                && sink.forConversation(second).size() == 1);
        awaitReady();
    }

    @Test
    void lostSubscriptionsAreRestored() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        SimChannel channel = simulator.channelWithTopic(topicOf(id)).orElseThrow();

        simulator.dropSubscriptions(channel.id());

        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(topicOf(id)).isPresent());
        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(topicOf(id)).orElseThrow().hasOpenSocket());
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(status().getJsonObject("frames").getLong("system")).isPositive();
        awaitReady();
    }

    @Test
    void readinessIsDownWhileAChannelCarryingTopicsHasNoSocket() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        SimChannel channel = simulator.channelWithTopic(topicOf(id)).orElseThrow();
        // Genesys answers the channel check with 503 for a while, so the socket cannot be replaced at once
        simulator.injectFault("HEAD", "/api/v2/notifications/channels/", 503, 8, 0);

        simulator.closeSocket(channel.id(), (short) 1011, "server error");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> get("/observe/health/ready").statusCode() == 503);
        assertThat(get("/observe/health/ready").body()).contains("have no open socket");
        awaitReady();
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/observe/health/ready").statusCode() == 200);
    }
}
