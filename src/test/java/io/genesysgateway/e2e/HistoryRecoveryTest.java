package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History back, records flowing within seconds, with the shipped history settings: a 10 s outage with records
 * waiting, probed about once a second while it lasts.
 */
class HistoryRecoveryTest extends GatewayTestSupport {

    @Override
    protected void gatewayProperties(Properties p) {
        // the defaults of application.properties, which the test support shortens for other tests
        p.put("history.backoff-millis", "1000");
        p.put("history.poll-millis", "1000");
    }

    @Test
    void recordsWaitingOutA10sOutageAreAllDeliveredSecondsAfterHistoryIsBackWithBoundedProbesMeanwhile() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(newConversationId());
            trackAndAwaitSubscription(ids.get(i), new JsonObject());
        }
        sink.outage(503);
        long down = System.currentTimeMillis();
        for (String id : ids) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        // the records in flight hit the outage first; after that history should see probes, not the backlog
        Thread.sleep(2_000);
        int firstHits = sink.refused();
        Thread.sleep(8_000);
        int probes = sink.refused() - firstHits;
        long back = System.currentTimeMillis();
        sink.recover();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids.stream().allMatch(id -> !sink.forConversation(id).isEmpty()));
        long lastArrived = ids.stream().mapToLong(id -> sink.forConversation(id).get(0).receivedAtMillis()).max().orElseThrow();
        long firstArrived = ids.stream().mapToLong(id -> sink.forConversation(id).get(0).receivedAtMillis()).min().orElseThrow();
        System.out.printf("HISTORY RECOVERY: %d ms outage, 20 records waiting; %d requests in its first 2 s, %d in the"
                        + " next 8 s; history back: first record %d ms, last %d ms later; %s dead letters%n",
                back - down, firstHits, probes, firstArrived - back, lastArrived - back, status().getLong("deadLetters"));
        // users are promised 5 s
        assertThat(lastArrived - back).isLessThan(15_000);
        // about one probe a second (the breaker lets one through every 2 s, the outbox sends one a second)
        assertThat(probes).isLessThanOrEqualTo(8 * 2);
        assertThat(status().getLong("deadLetters")).isZero();
        assertThat(sink.duplicates()).isEmpty();
        assertThat(ids).allSatisfy(id -> assertThat(sink.forConversation(id)).hasSize(1));
    }
}
