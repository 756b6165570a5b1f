package io.genesysgateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

import static org.awaitility.Awaitility.await;

/**
 * The whole gateway as camel-main runs it (top-level application.properties, the YAML routes read straight from
 * src/main/routes, as with GATEWAY_ROUTES_DIR, so an edit there is what the next test run sees), against the Genesys
 * simulator and a history sink on loopback. One gateway per test class. The jar's built-in routes are run by the
 * jar tests (GatewayJarIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayTestSupport extends CamelMainTestSupport {

    protected static final String API_KEY = "test-api-key-5b0c";
    protected static GenesysSimulator simulator;
    protected static HistorySink sink;
    protected static int gatewayPort;
    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Simulator behaviour for this test class; defaults are Genesys' documented values. */
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults();
    }

    /** Extra gateway properties for this test class. */
    protected void gatewayProperties(Properties properties) {
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        if (simulator == null) {
            LogCapture.install();
            simulator = new GenesysSimulator(simulatorSettings()).start();
            sink = new HistorySink().start(0);
            gatewayPort = freePort();
        }
        Properties p = new Properties();
        p.put("genesys.login-url", simulator.baseUrl());
        p.put("genesys.api-url", simulator.baseUrl());
        p.put("genesys.client-id", SimulatorSettings.CLIENT_ID);
        p.put("genesys.client-secret", SimulatorSettings.CLIENT_SECRET);
        p.put("history.url", sink.url());
        p.put("history.backoff-millis", "100");
        p.put("genesys.api-backoff-millis", "100");
        p.put("camel.server.port", Integer.toString(gatewayPort));
        p.put("gateway.api-key", API_KEY);
        // the one property choosing where routes come from: never both the jar's copy and the folder (same route ids)
        p.put("gateway.routes-dir", "file:src/main/routes");
        // a fresh store per test class; reconciliation and the outbox on a test's time scale
        p.put("store.data-dir", dataDir().toString());
        p.put("history.poll-millis", "200");
        p.put("reconcile.poll-seconds", "1");
        p.put("reconcile.after-gap-seconds", "1,4");
        p.put("reconcile.linger-seconds", "0");
        gatewayProperties(p);
        return p;
    }

    private java.nio.file.Path dataDir;

    /** This test class's store folder (embedded SQLite), created on first use. */
    protected java.nio.file.Path dataDir() {
        if (dataDir == null) {
            try {
                dataDir = java.nio.file.Files.createTempDirectory("gateway-store-");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return dataDir;
    }

    @AfterAll
    void stopFakes() {
        if (simulator != null) {
            simulator.close();
            sink.close();
            simulator = null;
        }
    }

    /** The gateway's own view ({@code GET /status}). */
    protected JsonObject status() throws Exception {
        return new JsonObject(get("/status").body());
    }

    protected static String newConversationId() {
        return UUID.randomUUID().toString();
    }

    protected static String topicOf(String conversationId) {
        return "v2.detail.events.conversation." + conversationId + ".acw";
    }

    protected HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .header("Content-Type", "application/json").header("X-API-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                        .header("X-API-Key", API_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Triggers tracking and waits until the simulator has the topic on a channel with an open socket. */
    protected JsonObject trackAndAwaitSubscription(String conversationId, JsonObject context) throws Exception {
        JsonObject body = context.copy().put("conversationId", conversationId);
        HttpResponse<String> response = post("/customers/supportInteraction", body.encode());
        if (response.statusCode() != 202) {
            throw new AssertionError("trigger answered " + response.statusCode() + ": " + response.body());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(topicOf(conversationId))
                .map(c -> c.hasOpenSocket()).orElse(false));
        return new JsonObject(response.body());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
