package io.genesysgateway.jar;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, item 1, on the built jar: triggers sent from the moment the port accepts connections, and triggers
 * sent while SIGTERM stops the gateway, each get a whole answer: 202, or 503 with Retry-After and the JSON error
 * body. Never a 404 (no caller retries one) and never a connection reset half-way.
 */
class StartStopIT {

    private static final Path JAR = Path.of("target/genesys-gateway.jar");
    private static final String KEY = "start-stop-key";
    private static GenesysSimulator simulator;
    private static HistorySink sink;

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
    void triggersDuringStartAndStopGetAWholeAnswer() throws Exception {
        int port = freePort();
        Hammer hammer = new Hammer(port);
        long launched = System.nanoTime();
        Process process = start(port);
        try {
            hammer.start(4);
            // until well after the gateway is up: every answer from the first accepted connection on
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (hammer.accepted.get() < 200 && System.nanoTime() < deadline) {
                assertThat(process.isAlive()).as("the gateway runs").isTrue();
                Thread.sleep(50);
            }
            Tally start = hammer.tally();
            System.out.printf("START: port open %d ms after launch; %d answers: %d x 202, %d x 503 (Retry-After + JSON) over"
                            + " %d ms, then 202 only; refused before the port opened: %d; other: %s%n",
                    (hammer.firstAnswerAt.get() - launched) / 1_000_000, start.total(), start.accepted, start.unavailable,
                    (hammer.lastUnavailableAt.get() == 0 ? 0 : hammer.lastUnavailableAt.get() - hammer.firstAnswerAt.get())
                            / 1_000_000, start.refusedConnections, start.wrong);
            assertThat(start.wrong).as("404s, resets, 503s without Retry-After or JSON").isEmpty();
            assertThat(start.accepted).isGreaterThanOrEqualTo(200);

            // SIGTERM in the middle of a stream of triggers
            hammer.reset();
            long sigterm = System.nanoTime();
            process.toHandle().destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops the gateway").isTrue();
            long exited = System.nanoTime();
            Thread.sleep(500);
            hammer.stop();
            Tally stop = hammer.tally();
            System.out.printf("STOP: SIGTERM to exit %d ms; %d answers: %d x 202, %d x 503 (Retry-After + JSON) for %d ms;"
                            + " connections refused once the port closed: %d; cut as the port closed (never accepted): %s%n",
                    (exited - sigterm) / 1_000_000, stop.total(), stop.accepted, stop.unavailable,
                    (hammer.lastUnavailableAt.get() == 0 ? 0 : hammer.lastUnavailableAt.get() - sigterm) / 1_000_000,
                    stop.refusedConnections, stop.wrong);
            // no 404, no 5xx but 503 with Retry-After and JSON; what remains is the kernel's race at the very end: a
            // connection the kernel completed just before the listening socket closed, never seen by the server
            // (at most one per client thread)
            assertThat(stop.wrong).as("only connections cut when the port closed").allMatch(w -> w.startsWith("IOException"))
                    .hasSizeLessThanOrEqualTo(4);
            assertThat(stop.unavailable).as("the stopping gateway answered 503 for a while").isPositive();
        } finally {
            hammer.stop();
            process.destroyForcibly();
        }
    }

    /** Outcome counts since the last reset. */
    record Tally(long accepted, long unavailable, long refusedConnections, List<String> wrong) {
        long total() {
            return accepted + unavailable;
        }
    }

    /** Threads sending triggers as fast as answers come, each answer classified. */
    private static final class Hammer {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI uri;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong unavailable = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong firstAnswerAt = new AtomicLong();
        final AtomicLong lastUnavailableAt = new AtomicLong();
        final List<String> wrong = new CopyOnWriteArrayList<>();

        Hammer(int port) {
            this.uri = URI.create("http://127.0.0.1:" + port + "/customers/supportInteraction");
        }

        void start(int n) {
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(this::loop, "hammer-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        private void loop() {
            while (running.get()) {
                String body = "{\"conversationId\":\"" + UUID.randomUUID() + "\"}";
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("X-API-Key", KEY)
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    firstAnswerAt.compareAndSet(0, System.nanoTime());
                    if (r.statusCode() == 202) {
                        accepted.incrementAndGet();
                    } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
                            && r.headers().firstValue("Content-Type").orElse("").equals("application/json")
                            && new JsonObject(r.body()).getString("error") != null) {
                        unavailable.incrementAndGet();
                        lastUnavailableAt.set(System.nanoTime());
                    } else {
                        wrong.add(r.statusCode() + " " + r.body());
                    }
                } catch (ConnectException notListening) {
                    refused.incrementAndGet();
                    sleep(5);
                } catch (IOException | RuntimeException e) {
                    wrong.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Tally tally() {
            return new Tally(accepted.get(), unavailable.get(), refused.get(), List.copyOf(wrong));
        }

        void reset() {
            accepted.set(0);
            unavailable.set(0);
            refused.set(0);
            lastUnavailableAt.set(0);
            wrong.clear();
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(35_000);
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Process start(int port) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString());
        builder.directory(new File("."));
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_") || k.startsWith("GATEWAY_")
                || k.startsWith("STORE_") || k.startsWith("RECONCILE_"));
        builder.environment().putAll(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(), "GATEWAY_PORT", Integer.toString(port), "GATEWAY_API_KEY", KEY,
                "STORE_DATA_DIR", Files.createTempDirectory("gateway-store-").toString()));
        Path log = Files.createTempFile("start-stop-", ".log");
        System.out.println("gateway log: " + log);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
