package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Token lifecycle and Platform API faults: the call policy of GenesysApi and TokenCache. */
class GenesysFaultsTest extends GatewayTestSupport {

    private static final String SUBSCRIPTIONS = "/api/v2/notifications/channels/";

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withTokenLifetimeSeconds(2);
    }

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("genesys.token-renew-margin-seconds", "1");
    }

    @Test
    void tokensAreRenewedAheadOfExpiryWithoutA401() throws Exception {
        long tokensBefore = tokenRequests();
        long callsBefore = platformCalls();
        long started = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            trackAndAwaitSubscription(newConversationId(), new JsonObject());
            Thread.sleep(700);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        long tokens = tokenRequests() - tokensBefore;
        long calls = platformCalls() - callsBefore;
        System.out.println("2 s tokens: " + tokens + " token requests for " + calls + " Platform calls in " + seconds + " s");
        // a 2 s token is renewed at least 1 s after it came (margin at most a third, jitter at most half of that)
        assertThat(tokens).as("renewed, not fetched per call").isGreaterThanOrEqualTo(2L).isLessThanOrEqualTo(seconds + 2)
                .isLessThan(calls);
        assertThat(status().getJsonObject("genesysCallsByStatus").containsKey("401")).isFalse();
    }

    @Test
    void a401DropsTheTokenAndRetriesOnceWithAFreshOne() throws Exception {
        simulator.injectFault("POST", SUBSCRIPTIONS, 401, 1, 0);
        long tokensBefore = tokenRequests();
        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        assertThat(tokenRequests()).isGreaterThan(tokensBefore);
    }

    @Test
    void rateLimitIsWaitedOutAsRetryAfterSays() throws Exception {
        simulator.injectFault("POST", SUBSCRIPTIONS, 429, 1, 1);
        long before = System.nanoTime();
        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void serverErrorsAreRetriedWithBackOff() throws Exception {
        simulator.injectFault("POST", SUBSCRIPTIONS, 503, 2, 0);
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        assertThat(simulator.requests(r -> r.method().equals("POST") && r.path().endsWith("/subscriptions")
                && r.body().contains(id))).hasSize(3);
    }

    @Test
    void aCallGivesUpAfterItsRetriesAndTheSubscriptionIsTriedAgainLater() throws Exception {
        // one more refusal than a call's 1 + genesys.api-retries (3) attempts
        simulator.injectFault("POST", SUBSCRIPTIONS, 503, 5, 0);
        String id = newConversationId();
        int mark = LogCapture.lines().size();
        trackAndAwaitSubscription(id, new JsonObject());
        var attempts = simulator.requests(r -> r.method().equals("POST") && r.path().endsWith("/subscriptions")
                && r.body().contains(id));
        attempts.forEach(r -> System.out.println("subscribe attempt at " + r.at()));
        // 4 refused in one call; the fifth refusal may go to another call (this class moves channels every second)
        assertThat(attempts).as("4 attempts, then the subscription retry's 1 or 2").hasSizeBetween(5, 6);
        assertThat(LogCapture.lines().subList(mark, LogCapture.lines().size()))
                .anyMatch(l -> l.contains("wait for their subscription") && l.contains("HTTP 503"));
    }

    @Test
    void otherClientErrorsAreNotRetriedAndAreReportedWithCodeAndCorrelationId() throws Exception {
        simulator.injectFault("POST", SUBSCRIPTIONS, 400, 1, 0);
        String id = newConversationId();
        var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).getString("state").equals("failed"));
        assertThat(state(id).getString("problem")).contains("HTTP 400").contains("bad.request").contains("ININ-Correlation-ID");
        assertThat(simulator.requests(r -> r.path().endsWith("/subscriptions") && r.body().contains(id))).hasSize(1);

        // the same trigger again retries, and now succeeds
        var again = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
        assertThat(again.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).getString("state").equals("subscribed"));
    }

    private JsonObject state(String conversationId) throws Exception {
        return new JsonObject(get("/customers/supportInteraction/" + conversationId).body());
    }

    @Test
    void anOutageLeavesTriggersPendingAndTheyAreSubscribedWhenGenesysIsBack() throws Exception {
        simulator.injectFault("POST", SUBSCRIPTIONS, 503, 4, 0);
        String id = newConversationId();
        var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(response.body()).getString("state")).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(topicOf(id)).isPresent());
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(get("/customers/supportInteraction/" + id).body())
                .getString("state").equals("subscribed"));
    }

    @Test
    void noSecretOrTokenInAnyLogLine() throws Exception {
        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        String log = String.join("\n", LogCapture.lines());
        assertThat(log).doesNotContain(SimulatorSettings.CLIENT_SECRET);
        simulator.requests().stream().map(r -> r.bearer()).filter(b -> b != null).distinct()
                .forEach(token -> assertThat(log).doesNotContain(token));
    }

    private long platformCalls() {
        return simulator.requests(r -> r.path().startsWith("/api/v2/")).size();
    }

    private long tokenRequests() {
        return simulator.requests(r -> r.path().equals("/oauth/token")).size();
    }
}
