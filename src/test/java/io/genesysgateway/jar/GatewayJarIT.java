package io.genesysgateway.jar;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built jar as an operator runs it: {@code java -jar /elsewhere/genesys-gateway.jar} from a directory that holds
 * nothing of the project, configured by environment variables only, on a port other than 8080, with the routes
 * built into the jar or with routes a user edited.
 */
class GatewayJarIT {

    private static final Path JAR = Path.of("target/genesys-gateway.jar");
    private static GenesysSimulator simulator;
    private static HistorySink sink;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void fakes() {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        sink = new HistorySink().start(0);
    }

    @AfterAll
    static void stopFakes() {
        simulator.close();
        sink.close();
    }

    @Test
    void missingCredentialsStopStartUpWithOneClearLine() throws Exception {
        Process process = start(Map.of("GENESYS_CLIENT_ID", "", "HISTORY_URL", sink.url()), new ArrayList<>());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).isEqualTo(2);
        List<String> lines = err.lines().filter(l -> !l.isBlank() && !l.contains(" INFO ")).toList();
        assertThat(lines).containsExactly(
                "genesys-gateway cannot start: genesys.client-id is not set (set GENESYS_CLIENT_ID or -Dgenesys.client-id=...)");
        assertThat(err).doesNotContain("Exception").doesNotContain(SimulatorSettings.CLIENT_SECRET);
    }

    @Test
    void jarCopiedElsewhereRunsFromAnyDirectoryWithItsOwnRoutes(@TempDir Path opt, @TempDir Path workDir) throws Exception {
        Path jar = Files.copy(JAR, opt.resolve("genesys-gateway.jar"));
        int port = freePort();
        List<String> log = new ArrayList<>();
        long started = System.nanoTime();
        Process process = start(jar, workDir, gatewayEnv(port), log);
        try {
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(base + "/observe/health") == 200);
            System.out.printf("java -jar %s from %s to health UP: %d ms%n", jar, workDir, (System.nanoTime() - started) / 1_000_000);

            // the status page and the mapping come from inside the jar too
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/status.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<html");
            String id = triggerAndWrapUp(base, "J-2");
            JsonObject record = sink.forConversation(id).get(0).body();
            assertThat(record.getString("source")).isEqualTo("live");
            assertThat(record.getJsonObject("context").getString("caseId")).isEqualTo("J-2");
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("nothing written to the working directory")
                    .isEmpty();
        }
    }

    @Test
    void aBareRoutesFolderIsRefusedWithOneClearLine(@TempDir Path routes) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(gatewayEnv(freePort()));
        env.put("GATEWAY_ROUTES_DIR", routes.toString());
        env.remove("GATEWAY_PORT"); // refused before any port is opened; stderr read on its own below
        Process process = start(JAR, Path.of("."), env, new ArrayList<>());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(err).contains("genesys-gateway cannot start: gateway.routes-dir '" + routes + "' must start with file:");
    }

    @Test
    void jarRunsTheEditableRoutesFromTheRoutesFolder(@TempDir Path routes, @TempDir Path workDir) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // a user adds a route and changes the mapping, without rebuilding anything
        Files.writeString(routes.resolve("hello.camel.yaml"), """
                - route:
                    id: hello
                    from:
                      uri: platform-http:/hello
                      steps:
                        - setBody:
                            constant: edited route
                """);
        Path mapping = routes.resolve("history-record.jsonata");
        Files.writeString(mapping, Files.readString(mapping).replace("\"source\": source", "\"source\": \"edited mapping\""));

        int port = freePort();
        List<String> log = new ArrayList<>();
        long started = System.nanoTime();
        Map<String, String> env = new java.util.HashMap<>(gatewayEnv(port));
        env.put("GATEWAY_ROUTES_DIR", "file:" + routes);
        env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "true");
        Process process = start(JAR.toAbsolutePath(), workDir, env, log);
        try {
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(base + "/observe/health") == 200);
            System.out.printf("java -jar to health UP: %d ms%n", (System.nanoTime() - started) / 1_000_000);

            // readiness waits for the supervising route controller: UP means every route, the edited one too, answers
            assertThat(body(base + "/hello")).isEqualTo("edited route");

            String id = triggerAndWrapUp(base, "J-1");
            assertThat(sink.forConversation(id).get(0).body().getString("source")).isEqualTo("edited mapping");

            // with reload on, an edit to a route file applies while running, and the rest keeps working
            long edited = System.nanoTime();
            Files.writeString(routes.resolve("hello.camel.yaml"), Files.readString(routes.resolve("hello.camel.yaml"))
                    .replace("edited route", "reloaded route"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "reloaded route".equals(body(base + "/hello")));
            System.out.printf("route file edit to reloaded route answering: %d ms%n", (System.nanoTime() - edited) / 1_000_000);
            String after = triggerAndWrapUp(base, "J-3");
            assertThat(sink.forConversation(after)).hasSize(1);
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
        }
        synchronized (log) {
            assertThat(String.join("\n", log)).doesNotContain(SimulatorSettings.CLIENT_SECRET);
        }
    }

    @Test
    void jsonLogLinesOnRequest() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(), "GATEWAY_PORT", Integer.toString(freePort()), "GATEWAY_API_KEY", "k",
                "GATEWAY_LOG_FORMAT", "json"));
        List<String> log = new ArrayList<>();
        Process process = start(env, log);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                synchronized (log) {
                    return log.stream().anyMatch(l -> l.contains("started in"));
                }
            });
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        synchronized (log) {
            List<String> lines = log.stream().filter(l -> !l.isBlank()).toList();
            assertThat(lines).isNotEmpty().allSatisfy(l -> {
                JsonObject json = new JsonObject(l);
                assertThat(json.getString("message")).isNotNull();
                assertThat(json.getString("log.level")).isNotNull();
            });
        }
    }

    private Map<String, String> gatewayEnv(int port) {
        return Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(),
                "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID,
                "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(),
                "GATEWAY_PORT", Integer.toString(port),
                "GATEWAY_API_KEY", "jar-test-key");
    }

    /** Trigger, subscription at the simulator, ACW, one record at the sink; returns the conversation id. */
    private String triggerAndWrapUp(String base, String caseId) throws Exception {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                .header("X-API-Key", "jar-test-key").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"conversationId\":\"" + id + "\",\"caseId\":\"" + caseId + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(
                "v2.detail.events.conversation." + id + ".acw").map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        return id;
    }

    private Process start(Map<String, String> env, List<String> log) throws IOException {
        return start(JAR, Path.of("."), env, log);
    }

    private Process start(Path jar, Path workDir, Map<String, String> env, List<String> log) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString());
        builder.directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_") || k.startsWith("GATEWAY_")
                || k.startsWith("STORE_") || k.startsWith("RECONCILE_"));
        builder.environment().putAll(env);
        // each run its own store: a previous run's open conversations would otherwise be recovered
        builder.environment().putIfAbsent("STORE_DATA_DIR", Files.createTempDirectory("gateway-store-").toString());
        if (log.isEmpty() && env.containsKey("GATEWAY_PORT")) {
            builder.redirectErrorStream(true);
            Process p = builder.start();
            Thread pump = new Thread(() -> p.inputReader().lines().forEach(l -> {
                System.out.println("[jar] " + l);
                synchronized (log) {
                    log.add(l);
                }
            }));
            pump.setDaemon(true);
            pump.start();
            return p;
        }
        return builder.start();
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
