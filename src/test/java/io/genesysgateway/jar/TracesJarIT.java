package io.genesysgateway.jar;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces from the built jar as an operator switches them on: GATEWAY_TRACING_ENABLED and the standard OTEL_*
 * variables, spans exported over OTLP http/protobuf to a collector (here a loopback receiver keeping what it is
 * sent). The trigger and its delivery are in one trace even when the gateway restarted in between.
 */
class TracesJarIT {

    private static final Path JAR = Path.of("target/genesys-gateway.jar");
    private static GenesysSimulator simulator;
    private static HistorySink sink;
    private static Vertx vertx;
    private static int collectorPort;
    private static final List<byte[]> exported = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void fakes() throws Exception {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        sink = new HistorySink().start(0);
        vertx = Vertx.vertx();
        HttpServer collector = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (request.path().equals("/v1/traces")) {
                exported.add(body.getBytes());
            }
            // an empty ExportTraceServiceResponse: everything accepted
            request.response().putHeader("Content-Type", "application/x-protobuf").end();
        }));
        collectorPort = collector.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterAll
    static void stopFakes() {
        simulator.close();
        sink.close();
        vertx.close();
    }

    @Test
    void theTriggersTraceReachesTheHistoryPostAcrossARestart() throws Exception {
        Path store = Files.createTempDirectory("gateway-store-");
        int port = freePort();
        String callerTrace = hex(16);
        String id = UUID.randomUUID().toString();

        Process first = start(port, store);
        RunningGateway gateway = new RunningGateway(port, "jar-test-key");
        try {
            gateway.awaitUp(first, Duration.ofSeconds(60));
            HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/customers/supportInteraction"))
                    .header("X-API-Key", "jar-test-key").header("traceparent", "00-" + callerTrace + "-" + hex(8) + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(topic(id)).isPresent());
        } finally {
            RunningGateway.stop(first);
        }
        // the trigger's spans were exported by the first process (at the latest when it stopped)
        assertThat(exportedContains(callerTrace)).as("trigger spans at the collector").isTrue();

        Process second = start(port, store);
        try {
            gateway.awaitUp(second, Duration.ofSeconds(60));
            // after the restart the topic is subscribed again; the wrap-up comes live (or from analytics, if published
            // before the new socket had it): one record either way
            AcwEvent acw = AcwEvent.sample(id);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> simulator.emitAcw(acw) > 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.forConversation(id).size() == 1);
            String traceparent = sink.forConversation(id).get(0).headers().get("traceparent");
            System.out.println("traceparent on the history request after a restart: " + traceparent);
            assertThat(traceparent).matches("00-" + callerTrace + "-[0-9a-f]{16}-01");
            String postSpan = traceparent.split("-")[2];
            await().atMost(Duration.ofSeconds(10)).until(() -> exportedContains(postSpan));
        } finally {
            RunningGateway.stop(second);
        }
        assertThat(exported.stream().anyMatch(b -> new String(b, StandardCharsets.ISO_8859_1).contains("gateway-it")))
                .as("the service name from OTEL_SERVICE_NAME").isTrue();
        System.out.printf("%d OTLP export requests, %d bytes%n", exported.size(),
                exported.stream().mapToInt(b -> b.length).sum());
    }

    /** Whether an exported request holds this trace or span id (protobuf carries ids as raw bytes). */
    private static boolean exportedContains(String hexId) {
        String id = new String(HexFormat.of().parseHex(hexId), StandardCharsets.ISO_8859_1);
        return exported.stream().anyMatch(b -> new String(b, StandardCharsets.ISO_8859_1).contains(id));
    }

    private Process start(int port, Path store) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_")
                || k.startsWith("GATEWAY_") || k.startsWith("STORE_") || k.startsWith("RECONCILE_") || k.startsWith("OTEL_"));
        Map<String, String> env = new HashMap<>(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(),
                "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID,
                "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(),
                "GATEWAY_PORT", Integer.toString(port),
                "GATEWAY_API_KEY", "jar-test-key",
                "STORE_DATA_DIR", store.toString()));
        env.put("GATEWAY_TRACING_ENABLED", "true");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collectorPort);
        env.put("OTEL_SERVICE_NAME", "gateway-it");
        env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process p = builder.start();
        Thread pump = new Thread(() -> {
            try {
                p.inputReader().lines().forEach(l -> System.out.println("[jar] " + l));
            } catch (java.io.UncheckedIOException stopped) {
                // the process was stopped
            }
        });
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    private static String topic(String id) {
        return "v2.detail.events.conversation." + id + ".acw";
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
