package io.genesysgateway.intime;

import java.time.Duration;
import java.util.List;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Wrap-ups Genesys published while a socket was down reach history within seconds of the socket being back. */
class GapRecoveryTest extends InTimeSupport {

    @Test
    void aNetworkBlipIsReconciledWithinSecondsOfTheSocketBeingBack() throws Exception {
        List<String> ids = trackMany(6);
        SimChannel channel = simulator.channelWithTopic(topicOf(ids.get(0))).orElseThrow();
        // the connection drops and Genesys fails the reconnects for about 3 s: wrap-ups published meanwhile are lost
        simulator.injectFault("HEAD", "/api/v2/notifications/channels/", 503, 4, 0);
        long lostBefore = simulator.eventsLost();
        simulator.closeSocket(channel.id(), (short) 1006, "network");
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.hasOpenSocket());
        ids.forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
        assertThat(simulator.eventsLost() - lostBefore).as("published with no socket").isEqualTo(6);

        await().atMost(Duration.ofSeconds(30)).until(channel::hasOpenSocket);
        long back = System.nanoTime();
        long millis = awaitDelivered(ids, back, Duration.ofSeconds(30));
        report("blip", "missed wrap-ups in history after the socket was back", millis);
        assertThat(records(ids)).extracting(r -> r.body().getString("source")).containsOnly("reconciled");
        assertThat(duplicated(ids)).isZero();
    }

    @Test
    void anEvictedChannelIsNoticedAtOnceItsTopicsMoveAndTheGapIsReconciled() throws Exception {
        List<String> ids = trackMany(3);
        SimChannel evicted = simulator.channelWithTopic(topicOf(ids.get(0))).orElseThrow();
        long gapsBefore = status().getLong("gapWindows");

        // another application on the same OAuth client created a 21st channel: Genesys removed this one
        simulator.evict(evicted.id());
        long evictedAt = System.nanoTime();
        ids.forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));

        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> simulator.channelWithTopic(topicOf(id))
                .filter(c -> !c.id().equals(evicted.id()) && c.hasOpenSocket()).isPresent()));
        long moved = (System.nanoTime() - evictedAt) / 1_000_000;
        long millis = awaitDelivered(ids, evictedAt, Duration.ofSeconds(30));
        report("eviction", "topics on a new channel", moved);
        report("eviction", "wrap-ups of the gap in history after the eviction", millis);

        assertThat(duplicated(ids)).isZero();
        var status = status();
        // one removal, not a cascade: the replacement channel evicted nothing of the gateway's own
        assertThat(status.getLong("channelsGone")).isEqualTo(1);
        assertThat(status.getString("lastChannelGone")).contains(evicted.id()).contains("no_longer_subscribed");
        assertThat(status.getLong("gapWindows")).isGreaterThan(gapsBefore);
        assertThat(get("/observe/metrics").body()).contains("genesys_gateway_channels_gone_total 1.0");
        assertThat(conversation(ids.get(0)).getString("channelId")).isNotEqualTo(evicted.id());
    }
}
