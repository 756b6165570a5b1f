package io.genesysgateway.intime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Genesys closes a token's channels when the token expires. With 5 s tokens, the gateway moves every channel to
 * the renewed token before that (new channel, socket open, topics subscribed, old one closed): wrap-ups published
 * all the while arrive live, none falls into a gap.
 */
class ExpiryWithoutGapTest extends InTimeSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withTokenLifetimeSeconds(5);
    }

    @Override
    protected void gatewayProperties(Properties p) {
        super.gatewayProperties(p);
        // two channels, so that moves happen one after the other
        p.put("genesys.max-topics-per-channel", "10");
    }

    @Test
    void fiveSecondTokensCauseNoSocketGap() throws Exception {
        List<String> ids = trackMany(16);
        long lostBefore = simulator.eventsLost();
        long gapsBefore = status().getLong("gapWindows");
        long movesBefore = status().getLong("channelMoves");

        // wrap-ups keep coming for four token lifetimes
        List<String> wrapped = new ArrayList<>();
        long end = System.currentTimeMillis() + 20_000;
        for (int i = 0; System.currentTimeMillis() < end; i++) {
            String id = ids.get(i % ids.size());
            if (i < ids.size()) {
                simulator.emitAcw(AcwEvent.sample(id));
                wrapped.add(id);
            } else {
                // later ones are new conversations, tracked while channels move
                String fresh = newConversationId();
                trackAndAwaitSubscription(fresh, new io.vertx.core.json.JsonObject());
                simulator.emitAcw(AcwEvent.sample(fresh));
                wrapped.add(fresh);
            }
            Thread.sleep(400);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(wrapped) == wrapped.size());

        var status = status();
        System.out.printf("IN-TIME token expiry: %d wrap-ups over 20 s of 5 s tokens, %d channel moves, %d gaps, %d lost%n",
                wrapped.size(), status.getLong("channelMoves") - movesBefore, status.getLong("gapWindows") - gapsBefore,
                simulator.eventsLost() - lostBefore);
        assertThat(status.getLong("channelMoves") - movesBefore).as("channels moved to new tokens").isGreaterThanOrEqualTo(4);
        assertThat(simulator.channelsClosedWithTheirToken()).as("channels Genesys closed with an expired token").isZero();
        assertThat(status.getLong("gapWindows") - gapsBefore).as("socket gaps").isZero();
        assertThat(simulator.eventsLost() - lostBefore).as("events Genesys could not deliver").isZero();
        assertThat(records(wrapped)).extracting(r -> r.body().getString("source")).containsOnly("live");
        assertThat(duplicated(wrapped)).isZero();
    }
}
