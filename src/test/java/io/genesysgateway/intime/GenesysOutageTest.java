package io.genesysgateway.intime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.genesysgateway.simulator.GenesysSimulator.RecordedRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Genesys refuses subscription calls for a while: triggers are still accepted, no channel is made and retired per
 * retry, and subscriptions resume within seconds of Genesys answering again, however many calls it refused.
 */
class GenesysOutageTest extends InTimeSupport {

    private static final String CHANNELS = "/api/v2/notifications/channels";

    @Test
    void subscriptionsResumeWithinSecondsAfterThirtyRefusedCalls() throws Exception {
        trackMany(1); // a channel exists, as in a running gateway
        long channelsBefore = channelCreations();
        simulator.injectFault("POST", CHANNELS + "/", 503, 30, 0);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = newConversationId();
            ids.add(id);
            var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(new JsonObject(response.body()).getString("state")).isEqualTo("pending");
            Thread.sleep(300);
        }
        // the 30th refusal is when Genesys answers again
        await().atMost(Duration.ofSeconds(120)).until(() -> refusedSubscribes().size() >= 30);
        Instant answering = refusedSubscribes().get(29).at();
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
                .allMatch(id -> simulator.channelWithTopic(topicOf(id)).isPresent()));
        long millis = Duration.between(answering, Instant.now()).toMillis();
        report("Genesys refuses 30 subscription calls", "every conversation subscribed after Genesys answered again", millis);
        assertThat(millis).as("subscribed within 30 s of the 30th refusal").isLessThan(30_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> ids.stream()
                .allMatch(id -> conversationState(id).equals("subscribed")));
        assertThat(channelCreations() - channelsBefore).as("no channel made and retired per retry").isZero();
    }

    private String conversationState(String id) {
        try {
            return conversation(id).getString("state");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<RecordedRequest> refusedSubscribes() {
        // the simulator answers the first 30 subscription POSTs after the fault with 503
        List<RecordedRequest> posts = simulator.requests(r -> r.method().equals("POST") && r.path().endsWith("/subscriptions"));
        return posts.subList(Math.min(posts.size(), 1), posts.size());
    }

    private long channelCreations() {
        return simulator.requests(r -> r.method().equals("POST") && r.path().equals(CHANNELS)).size();
    }
}
