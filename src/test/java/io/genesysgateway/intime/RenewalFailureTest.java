package io.genesysgateway.intime;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.genesysgateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A channel whose renewal Genesys refuses moves to a new channel before it expires: no gap, nothing reconciled. */
class RenewalFailureTest extends InTimeSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withChannelLifetimeMillis(12_000);
    }

    @Override
    protected void gatewayProperties(Properties p) {
        super.gatewayProperties(p);
        p.put("genesys.channel-lifetime-seconds", "12");
        p.put("genesys.channel-renew-before-seconds", "6");
    }

    @Test
    void aChannelThatCannotBeRenewedMovesBeforeItExpires() throws Exception {
        List<String> ids = trackMany(3);
        SimChannel old = simulator.channelWithTopic(topicOf(ids.get(0))).orElseThrow();
        long gapsBefore = status().getLong("gapWindows");
        // Genesys refuses to rewrite this channel's subscriptions, whatever the gateway tries
        simulator.injectFault("PUT", "/api/v2/notifications/channels/" + old.id() + "/", 400, 1_000, 0);

        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> simulator.channelWithTopic(topicOf(id))
                .filter(c -> !c.id().equals(old.id()) && c.hasOpenSocket()).isPresent()));
        ids.forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
        await().atMost(Duration.ofSeconds(15)).until(() -> delivered(ids) == ids.size());
        simulator.clearFaults();

        assertThat(status().getLong("gapWindows") - gapsBefore).as("socket gaps").isZero();
        assertThat(status().getLong("channelMoves")).isGreaterThanOrEqualTo(1);
        assertThat(records(ids)).extracting(r -> r.body().getString("source")).containsOnly("live");
    }
}
