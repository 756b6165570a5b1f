package io.genesysgateway.jar;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.sink.HistorySink.Received;
import io.genesysgateway.store.PostgresServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restarts of the built jar on the same store, on both back-ends: a crash ({@code kill -9}) with records waiting
 * for a history outage and wrap-ups published while the gateway was down, then a clean stop (SIGTERM) while
 * deliveries are in flight. Everything arrives, nothing twice.
 */
class RestartRecoveryIT {

    private static final Path JAR = Path.of("target/genesys-gateway.jar");
    private static GenesysSimulator simulator;
    private static HistorySink sink;
    private static PostgresServer postgres;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void fakes() throws Exception {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        sink = new HistorySink().start(0);
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopFakes() throws Exception {
        simulator.close();
        sink.close();
        postgres.close();
    }

    @ParameterizedTest(name = "store: {0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void crashAndCleanStopLoseAndRepeatNothing(String store) throws Exception {
        Map<String, String> env = environment(store);
        int port = freePort();
        env.put("GATEWAY_PORT", Integer.toString(port));
        String base = "http://127.0.0.1:" + port;

        Process first = start(env, "first");
        List<String> ids = new ArrayList<>();
        String lastAcknowledged = null;
        try {
            RunningGateway.awaitUp(first, base, Duration.ofSeconds(60));
            for (int i = 0; i < 30; i++) {
                ids.add(track(base));
            }
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(topicOf(id))
                        .map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
            }
            // ten wrap up and are delivered
            ids.subList(0, 10).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded(ids.subList(0, 10)) == 10);
            // history goes down: ten more wait in the outbox
            sink.outage(503);
            ids.subList(10, 20).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(get(base + "/status"))
                    .getJsonObject("historyRecords").getLong("pending") == 10);
            // the last thing the gateway did before dying: acknowledge a trigger (202 means it is in the store)
            lastAcknowledged = track(base);
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the store
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        sink.recover();
        // the gateway is down: Genesys drops what it publishes now; only its analytics keeps it
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.openSockets() == 0);
        long lostBefore = simulator.eventsLost();
        ids.subList(20, 30).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
        assertThat(simulator.eventsLost() - lostBefore).isEqualTo(10);

        Process second = start(env, "second");
        try {
            RunningGateway.awaitUp(second, base, Duration.ofSeconds(60));
            long up = System.nanoTime();
            assertThat(new JsonObject(get(base + "/customers/supportInteraction/" + lastAcknowledged)).getString("state"))
                    .as("a trigger acknowledged just before kill -9 is still tracked").isNotNull();
            if (store.equals("sqlite")) {
                assertSecondGatewayRefused(env);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> recorded(ids) == 30);
            System.out.printf("IN-TIME [%s] restart after kill -9: wrap-ups published while down in history %.1f s after"
                    + " the gateway was up%n", store, (System.nanoTime() - up) / 1e9);
            assertThat(sourcesOf(ids.subList(10, 20))).as("waited in the outbox through the crash").containsOnly("live");
            assertThat(sourcesOf(ids.subList(20, 30))).as("published while the gateway was down").containsOnly("reconciled");
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [%s] restart after kill -9: emitted 30, delivered %d, duplicated %d%n",
                    store, recorded(ids), duplicated(ids));
            assertThat(duplicated(ids)).isZero();

            // a clean stop while a slow history service holds deliveries in flight
            sink.delay(1_500);
            List<String> more = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                more.add(track(base));
            }
            for (String id : more) {
                await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(topicOf(id))
                        .map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
            }
            more.forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            Thread.sleep(500);
            for (int i = 0; i < 40; i++) {
                burst.add(track(base));
            }
            for (String id : burst) {
                await().atMost(Duration.ofSeconds(20)).until(() -> simulator.channelWithTopic(topicOf(id))
                        .map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
            }
        } catch (Throwable failed) {
            second.destroyForcibly(); // failed above: the gateway goes, the failure is what the test reports
            throw failed;
        }
        // SIGTERM in the middle of a burst of wrap-ups: one every 25 ms, the stop after the tenth
        Thread emitter = new Thread(() -> burst.forEach(id -> {
            (simulator.emitAcw(AcwEvent.sample(id)) > 0 ? reachedTheSocket : missedBySocket).add(id);
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        emitter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> reachedTheSocket.size() + missedBySocket.size() >= 10);
        long stopping = System.nanoTime();
        second.toHandle().destroy(); // SIGTERM (Process.destroy() would also close the pipes)
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("a clean stop ends").isTrue();
        System.out.printf("clean stop took %d ms, exit %d%n", (System.nanoTime() - stopping) / 1_000_000, second.exitValue());
        emitter.join(10_000);
        sink.delay(0);
        List<String> more = tracked.subList(tracked.size() - 45, tracked.size() - 40);
        Process third = start(env, "third");
        try {
            RunningGateway.awaitUp(third, base, Duration.ofSeconds(60));
            long up = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> recorded(more) == 5);
            await().atMost(Duration.ofSeconds(60)).until(() -> recorded(burst) == 40);
            System.out.printf("IN-TIME [%s] SIGTERM mid-burst: %d wrap-ups reached the socket before the stop, %d did not;"
                    + " all in history %.1f s after the restart%n", store, reachedTheSocket.size(), missedBySocket.size(),
                    (System.nanoTime() - up) / 1e9);
            Thread.sleep(2_000);
            System.out.printf("DURABILITY [%s] clean stop with deliveries in flight: emitted 5, delivered %d, duplicated %d%n",
                    store, recorded(more), duplicated(more));
            assertThat(duplicated(more)).isZero();
            assertThat(duplicated(ids)).isZero();
            assertThat(duplicated(burst)).isZero();
            // every frame the socket carried before it closed was committed: recorded live, not found again later
            assertThat(sourcesOf(List.copyOf(reachedTheSocket))).as("received before the stop").containsOnly("live");
            assertThat(sourcesOf(List.copyOf(missedBySocket))).as("published after the socket closed").containsOnly("reconciled");
            assertThat(missedBySocket).as("the stop came mid-burst").isNotEmpty();
        } finally {
            third.toHandle().destroy();
            third.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** A second gateway on the same embedded store would deliver everything twice: it must refuse to start. */
    private void assertSecondGatewayRefused(Map<String, String> env) throws Exception {
        Map<String, String> twin = new HashMap<>(env);
        twin.put("GATEWAY_PORT", Integer.toString(freePort()));
        Process p = start(twin, "twin");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the second gateway gives up").isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "restart-twin.log")))
                .contains("genesys-gateway cannot start: another gateway is using the store in");
    }

    // ------------------------------------------------------------------ helpers

    private final List<String> tracked = new ArrayList<>();
    private final List<String> burst = new ArrayList<>();
    private final List<String> reachedTheSocket = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> missedBySocket = new java.util.concurrent.CopyOnWriteArrayList<>();

    private String track(String base) throws Exception {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                .header("X-API-Key", "restart-key")
                .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        tracked.add(id);
        return id;
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", "restart-key").build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long recorded(List<String> ids) {
        return records(ids).stream().map(Received::idempotencyKey).distinct().count();
    }

    private static long duplicated(List<String> ids) {
        return records(ids).size() - recorded(ids);
    }

    private static List<Received> records(List<String> ids) {
        return sink.received().stream().filter(r -> ids.contains(r.body().getString("conversationId"))).toList();
    }

    private static List<String> sourcesOf(List<String> ids) {
        return records(ids).stream().map(r -> r.body().getString("source")).toList();
    }

    private static String topicOf(String id) {
        return "v2.detail.events.conversation." + id + ".acw";
    }

    private Map<String, String> environment(String store) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", "restart-key"));
        env.putAll(Map.of("HISTORY_POLL_MILLIS", "200", "HISTORY_BACKOFF_MILLIS", "200",
                "HISTORY_BREAKER_OPEN_SECONDS", "1", "RECONCILE_POLL_SECONDS", "1",
                "RECONCILE_LINGER_SECONDS", "1", "CAMEL_MAIN_SHUTDOWNTIMEOUT", "30"));
        if (store.equals("postgresql")) {
            env.put("STORE_URL", postgres.createDatabase("restart_" + System.nanoTime()));
            env.put("STORE_USER", "postgres");
        } else {
            env.put("STORE_DATA_DIR", Files.createTempDirectory("gateway-store-").toString());
        }
        return env;
    }

    private Process start(Map<String, String> env, String name) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).directory(new File(".")).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_")
                || k.startsWith("GATEWAY_") || k.startsWith("STORE_") || k.startsWith("RECONCILE_"));
        builder.environment().putAll(env);
        // straight to a file: a pipe read by the test would be closed by Process.destroy() and lose the shutdown log
        Path log = Path.of("target", "restart-" + name + ".log");
        Files.writeString(log, "=== " + name + " " + env.getOrDefault("STORE_URL", "sqlite") + System.lineSeparator(),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
