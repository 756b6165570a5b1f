package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Channels and tokens age: nothing dies of old age, and a revoked token is replaced. */
class ChannelLifecycleTest extends GatewayTestSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withChannelLifetimeMillis(3_000);
    }

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("genesys.channel-lifetime-seconds", "3");
        p.put("genesys.channel-renew-before-seconds", "2");
    }

    @Test
    void channelsAreRenewedBeforeTheyExpire() throws Exception {
        // after a token change (the revocation test) channels move to the new token: let that finish first
        long[] moves = {-1};
        await().atMost(Duration.ofSeconds(15)).during(Duration.ofMillis(1500)).until(() -> {
            long now = status().getLong("channelMoves");
            boolean settled = now == moves[0];
            moves[0] = now;
            return settled;
        });
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        int socketsBefore = simulator.socketsOpened();

        Thread.sleep(8_000); // more than two channel lifetimes

        assertThat(simulator.channel(channel)).as("the channel is still alive").isPresent();
        assertThat(simulator.channel(channel).orElseThrow().hasOpenSocket()).isTrue();
        assertThat(simulator.socketsOpened()).as("no reconnect was needed").isEqualTo(socketsBefore);
        assertThat(status().getLong("channelRenewals")).isGreaterThanOrEqualTo(3);
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
    }

    @Test
    void aRevokedTokenIsReplacedAndTheNextCallSucceeds() throws Exception {
        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        long tokensBefore = simulator.requests(r -> r.path().equals("/oauth/token")).size();

        simulator.revokeTokens(SimulatorSettings.CLIENT_ID);
        await().atMost(Duration.ofSeconds(5)).until(() -> status().getJsonObject("frames").getLong("system", 0L) >= 1);

        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        assertThat(simulator.requests(r -> r.path().equals("/oauth/token")).size()).isGreaterThan((int) tokensBefore);
    }
}
