package io.genesysgateway.jar;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The third way to run: Camel JBang ({@code bin/camel run-gateway}) over the same routes, properties and Java
 * beans, end to end against the simulator. JBang resolves its components from Maven Central at run time.
 */
class CamelJBangIT {

    @Test
    void theRoutesRunUnderCamelJBang(@TempDir Path home) throws Exception {
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder("bin/camel", "run-gateway", "--max-seconds=240")
                    .directory(new File(".")).redirectErrorStream(true);
            builder.environment().putAll(java.util.Map.of(
                    "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", "jbang-key", "GATEWAY_PORT", Integer.toString(port),
                    // keep JBang's ~/.camel state out of the real home
                    "JAVA_TOOL_OPTIONS", "-Duser.home=" + home + " -Dmaven.repo.local=" + System.getProperty("user.home") + "/.m2/repository"));
            Process process = builder.start();
            Thread pump = new Thread(() -> process.inputReader().lines().forEach(l -> System.out.println("[jbang] " + l)));
            pump.setDaemon(true);
            pump.start();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            try {
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    try {
                        return http.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (Exception notYet) {
                        return !process.isAlive() && fail("camel run ended early");
                    }
                });
                String id = UUID.randomUUID().toString();
                HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                        .header("X-API-Key", "jbang-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\",\"caseId\":\"JB-1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
                // the subscription follows the 202 within moments; Genesys drops events published before it
                await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(
                        "v2.detail.events.conversation." + id + ".acw").map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
                simulator.emitAcw(AcwEvent.sample(id));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
                assertThat(sink.forConversation(id).get(0).body().getJsonObject("context").getString("caseId")).isEqualTo("JB-1");
            } finally {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean fail(String why) {
        throw new AssertionError(why);
    }
}
