package io.genesysgateway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.GatewayTestSupport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page as an operator's browser shows it: headless Chromium renders /status.html, which fetches
 * /status with the API key. .ci/run installs Chromium and sets REQUIRE_CHROMIUM=1, so CI never skips this.
 */
class StatusPageTest extends GatewayTestSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void thePageRendersTheChannels(@TempDir Path profile) throws Exception {
        if (System.getenv("REQUIRE_CHROMIUM") == null) {
            Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed (apt-get install chromium)");
        }
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        String channel = simulator.channelWithTopic(topicOf(id)).orElseThrow().id();
        String url = "http://127.0.0.1:" + gatewayPort + "/status.html#key=" + API_KEY;

        String dom = chromium(profile, "--dump-dom", url);
        assertThat(dom).contains(channel).contains(">open<").contains("subscribed");
        assertThat(dom).contains("<div id=\"error\"></div>");
        assertThat(dom).as("the instance line").contains("alone (it drives the Genesys client)");

        Path screenshot = Path.of("target/status-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium(profile, "--screenshot=" + screenshot, "--window-size=1200,900", url);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);

        String withoutKey = chromium(profile, "--dump-dom", "http://127.0.0.1:" + gatewayPort + "/status.html");
        assertThat(withoutKey).doesNotContain(channel).contains("<div id=\"error\">API key needed</div>");
    }

    private static String chromium(Path profile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile.resolve("p" + System.nanoTime()),
                "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
