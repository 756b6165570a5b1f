package io.genesysgateway.jar;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.sink.HistorySink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the run-it-another-way tests check of a gateway running in its own process. */
final class RunningGateway {

    private static final HttpClient HEALTH = HttpClient.newHttpClient();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String apiKey;

    RunningGateway(int port, String apiKey) {
        this.base = "http://127.0.0.1:" + port;
        this.apiKey = apiKey;
    }

    /** Waits for health UP, failing at once if the process ends first. */
    void awaitUp(Process process, Duration atMost) {
        awaitUp(process, base, atMost);
    }

    /** Waits for health UP at {@code base} (http://host:port), failing at once if the process ends first. */
    static void awaitUp(Process process, String base, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("the gateway process is running").isTrue();
            try {
                return HEALTH.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
    }

    /** Trigger → subscribed at the simulator → ACW → one record at the sink; returns the conversation id. */
    String deliversOneConversation(GenesysSimulator simulator, HistorySink sink, String contextJson) throws Exception {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                .header("X-API-Key", apiKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"" + contextJson + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
        // the subscription follows the 202 within moments; Genesys drops events published before it
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(
                "v2.detail.events.conversation." + id + ".acw").map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
        return id;
    }

    static void stop(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
