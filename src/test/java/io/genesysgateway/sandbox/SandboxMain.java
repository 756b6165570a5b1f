package io.genesysgateway.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import io.genesysgateway.GatewayApplication;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;

/**
 * The gateway with no Genesys org: the Genesys simulator and a history sink start in this JVM, the gateway is
 * pointed at them, and one demo conversation is triggered and wrapped up so the whole flow shows in the log.
 * Run by {@code bin/run} when {@code GENESYS_CLIENT_ID} is not set. Never part of the production jar.
 */
public final class SandboxMain {

    static final String SANDBOX_API_KEY = "sandbox-key";

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        int simulatorPort = Integer.parseInt(System.getProperty("sandbox.simulator-port", "9080"));
        int sinkPort = Integer.parseInt(System.getProperty("sandbox.sink-port", "9090"));
        GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults().withPort(simulatorPort)).start();
        HistorySink sink = new HistorySink().printing().start(sinkPort);
        System.out.println("SANDBOX: Genesys Cloud simulator on " + simulator.baseUrl() + ", history sink on " + sink.url());
        System.setProperty("genesys.login-url", simulator.baseUrl());
        System.setProperty("genesys.api-url", simulator.baseUrl());
        System.setProperty("genesys.client-id", SimulatorSettings.CLIENT_ID);
        System.setProperty("genesys.client-secret", SimulatorSettings.CLIENT_SECRET);
        System.setProperty("history.url", sink.url());
        System.setProperty("camel.main.name", "genesys-gateway-SANDBOX");
        System.setProperty("gateway.api-key", SANDBOX_API_KEY);
        System.setProperty("gateway.sandbox", "true");
        if (System.getenv("STORE_DATA_DIR") == null && System.getProperty("store.data-dir") == null) {
            // the simulator starts empty each time, so does the sandbox's store (a real run keeps ./data)
            java.nio.file.Path store = java.nio.file.Files.createTempDirectory("gateway-sandbox-store-");
            System.setProperty("store.data-dir", store.toString());
            System.out.println("SANDBOX: store (embedded SQLite) in " + store);
        }

        if (!Boolean.getBoolean("sandbox.no-demo")) {
            Thread demo = new Thread(() -> demo(simulator), "sandbox-demo");
            demo.setDaemon(true);
            demo.start();
        }
        GatewayApplication.main(args);
    }

    /** Triggers one conversation, wraps it up at the simulator, and lets the gateway's log tell the rest. */
    private static void demo(GenesysSimulator simulator) {
        String port = System.getProperty("camel.server.port", System.getenv().getOrDefault("GATEWAY_PORT", "8080"));
        HttpClient http = HttpClient.newHttpClient();
        String conversationId = UUID.randomUUID().toString();
        try {
            for (int i = 0; i < 60; i++) {
                Thread.sleep(1000);
                try {
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    // the gateway is still starting
                }
            }
            String body = "{\"conversationId\":\"" + conversationId + "\",\"customerId\":\"DEMO-42\",\"caseId\":\"CASE-1\"}";
            System.out.println("SANDBOX: POST /customers/supportInteraction " + body);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/customers/supportInteraction"))
                    .header("Content-Type", "application/json").header("X-API-Key", SANDBOX_API_KEY).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("SANDBOX: gateway answered " + answer.statusCode() + " " + answer.body());
            Thread.sleep(2000);
            System.out.println("SANDBOX: the agent wraps up; Genesys (simulated) publishes the ACW event");
            simulator.emitAcw(AcwEvent.sample(conversationId));
            Thread.sleep(3000);
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/customers/supportInteraction/" + conversationId))
                    .header("X-API-Key", SANDBOX_API_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("SANDBOX: GET /customers/supportInteraction/" + conversationId + " -> " + status.body());
            System.out.println("SANDBOX: try it yourself: curl -H 'X-API-Key: " + SANDBOX_API_KEY + "' -X POST localhost:"
                    + port + "/customers/supportInteraction -d '{\"conversationId\":\"" + UUID.randomUUID() + "\"}'");
        } catch (Exception e) {
            System.out.println("SANDBOX: demo stopped: " + e);
        }
    }
}
