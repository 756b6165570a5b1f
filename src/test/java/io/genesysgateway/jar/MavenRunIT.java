package io.genesysgateway.jar;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The second way to run: {@code mvn camel:run} from the project root, end to end against the simulator. */
class MavenRunIT {

    @Test
    void theGatewayRunsFromMaven() throws Exception {
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder("mvn", "-q", "-B", "camel:run",
                    "-Dcamel.main.duration-max-seconds=180").directory(new File(".")).redirectErrorStream(true);
            builder.environment().putAll(Map.of(
                    "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", "maven-key", "GATEWAY_PORT", Integer.toString(port)));
            Process process = builder.start();
            Thread pump = new Thread(() -> process.inputReader().lines().forEach(l -> System.out.println("[mvn] " + l)));
            pump.setDaemon(true);
            pump.start();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    assertThat(process.isAlive()).as("mvn camel:run is running").isTrue();
                    try {
                        return http.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (java.io.IOException notYet) {
                        return false;
                    }
                });
                String id = UUID.randomUUID().toString();
                HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                        .header("X-API-Key", "maven-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
                // the subscription follows the 202 within moments; Genesys drops events published before it
                await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(
                        "v2.detail.events.conversation." + id + ".acw").map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
                simulator.emitAcw(AcwEvent.sample(id));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
            } finally {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
