package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.RecordedRequest;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Genesys' channel and topic limits at a reduced size: 2,500 conversations, enforced by the simulator. */
class SubscriptionScaleTest extends GatewayTestSupport {

    @Test
    void twoAndAHalfThousandConversationsNeedExactlyThreeChannelsAndFewCalls() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            ids.add(newConversationId());
        }
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<Integer>> answers = new ArrayList<>();
        for (String id : ids) {
            answers.add(clients.submit(() -> post("/customers/supportInteraction",
                    new JsonObject().put("conversationId", id).encode()).statusCode()));
        }
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isEqualTo(202);
        }
        clients.shutdown();
        await().atMost(Duration.ofSeconds(60)).until(() -> simulator.allTopics().size() == 2_500);

        assertThat(simulator.channels()).hasSize(3);
        assertThat(simulator.channels()).allSatisfy(c -> assertThat(c.topics().size()).isLessThanOrEqualTo(1_000));
        List<RecordedRequest> subscribes = simulator.requests(r -> r.path().endsWith("/subscriptions"));
        assertThat(subscribes).allSatisfy(r -> assertThat(r.topicCount()).isLessThanOrEqualTo(1_000));
        System.out.printf("2,500 subscribed with %d subscription calls and %d channel creations%n", subscribes.size(),
                simulator.requests(r -> r.method().equals("POST") && r.path().endsWith("/channels")).size());
        assertThat(subscribes.size()).as("batched, not one call per conversation").isLessThan(250);

        // wrap up every conversation: all topics leave, every channel is retired and then left alone
        for (String id : ids) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(sink.received().size())
                .as("recorded; Genesys found no socket for %d", simulator.eventsLost()).isGreaterThanOrEqualTo(2_500));
        assertThat(sink.duplicates()).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.allTopics().isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.openSockets() == 0);
        Set<String> retired = simulator.channels().stream().map(SimChannel::id).collect(Collectors.toSet());
        int before = simulator.requests().size();
        Thread.sleep(2_000);
        assertThat(simulator.requests().subList(before, simulator.requests().size()))
                .as("retired channels get no further calls").noneMatch(r -> retired.stream().anyMatch(r.path()::contains));
    }
}
