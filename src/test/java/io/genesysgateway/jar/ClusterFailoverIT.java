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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.sink.HistorySink.Received;
import io.genesysgateway.store.PostgresServer;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways from the built jar over one PostgreSQL, led through a real ZooKeeper (Curator's TestingServer runs the
 * ZooKeeper server in this process): both take triggers, only the leader talks to Genesys; the leader is killed
 * ({@code kill -9}) while wrap-ups flow, the other one leads within the session time-out, and history gets every
 * wrap-up exactly once. Cluster mode's start-up refusals (embedded store, no ZooKeeper) too.
 */
class ClusterFailoverIT {

    private static final Path JAR = Path.of("target/genesys-gateway.jar");
    private static final String KEY = "cluster-key";
    private static GenesysSimulator simulator;
    private static HistorySink sink;
    private static PostgresServer postgres;
    private static TestingServer zookeeper;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void fakes() throws Exception {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        sink = new HistorySink().start(0);
        postgres = PostgresServer.start();
        zookeeper = new TestingServer(true);
    }

    @AfterAll
    static void stopFakes() throws Exception {
        simulator.close();
        sink.close();
        postgres.close();
        zookeeper.close();
    }

    @Test
    void theOtherInstanceLeadsAfterKill9AndHistoryGetsEveryWrapupOnce() throws Exception {
        Map<String, String> env = environment();
        String a = "http://127.0.0.1:" + freePort();
        String b = "http://127.0.0.1:" + freePort();
        Process first = start(env, "a", a);
        Process second = null;
        List<String> ids = new ArrayList<>();
        List<String> emittedDuringFailover = new CopyOnWriteArrayList<>();
        try {
            awaitUp(first, a);
            await().atMost(Duration.ofSeconds(30)).until(() -> leads(a));
            second = start(env, "b", b);
            awaitUp(second, b);
            assertThat(leads(b)).as("the second instance follows").isFalse();
            assertThat(cluster(b).getString("leaderInstance")).isEqualTo("gateway-a");

            // triggers to both: each stored before its 202; the leader subscribes the follower's within moments
            long[] slowest = new long[2]; // taken by the leader, by the follower (the first trigger opens the channel)
            for (int i = 0; i < 30; i++) {
                boolean onFollower = i % 2 == 1;
                String id = track(onFollower ? b : a);
                long accepted = System.nanoTime();
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> onOpenSocket(id));
                if (i > 0) {
                    slowest[onFollower ? 1 : 0] = Math.max(slowest[onFollower ? 1 : 0], System.nanoTime() - accepted);
                }
            }
            System.out.printf("CLUSTER trigger to subscription: slowest %d ms taken by the leader, %d ms taken by the"
                    + " follower (15 each)%n", slowest[0] / 1_000_000, slowest[1] / 1_000_000);
            assertThat(slowest[1]).as("a follower's trigger is subscribed by the leader within moments (asked: 1 s)")
                    .isLessThan(3_000_000_000L);
            assertThat(new JsonObject(get(b + "/status")).getJsonObject("genesysCallsByStatus").isEmpty())
                    .as("the follower never called Genesys").isTrue();

            // ten wrap up and are delivered
            ids.subList(0, 10).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded(ids.subList(0, 10)) == 10);

            // the other twenty wrap up one every 200 ms; the leader dies after the fifth
            Thread emitter = new Thread(() -> ids.subList(10, 30).forEach(id -> {
                simulator.emitAcw(AcwEvent.sample(id));
                emittedDuringFailover.add(id);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            emitter.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> emittedDuringFailover.size() >= 5);
            first.destroyForcibly(); // SIGKILL: no shutdown, its ZooKeeper session ends by time-out only
            long killed = System.nanoTime();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Process follower = second;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(follower.isAlive()).isTrue();
                return leads(b);
            });
            long takeover = System.nanoTime() - killed;
            System.out.printf("CLUSTER takeover after kill -9 of the leader: %d ms (session time-out %s ms)%n",
                    takeover / 1_000_000, env.get("CLUSTER_SESSION_TIMEOUT_MILLIS"));
            emitter.join(30_000);

            // the new leader takes new triggers too
            for (int i = 0; i < 5; i++) {
                String id = track(b);
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).until(() -> onOpenSocket(id));
                simulator.emitAcw(AcwEvent.sample(id));
            }
            long since = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> recorded(ids) == ids.size());
            System.out.printf("CLUSTER every wrap-up in history %.1f s after the last one was emitted%n",
                    (System.nanoTime() - since) / 1e9);
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [cluster] kill -9 of the leader while wrap-ups flow: emitted %d, delivered %d,"
                    + " duplicated %d%n", ids.size(), recorded(ids), duplicated(ids));
            assertThat(duplicated(ids)).isZero();
            assertThat(takeover).as("the follower leads within the session time-out (promised 10 s, allowed 30 s)")
                    .isLessThan(30_000_000_000L);
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.toHandle().destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void clusterModeOnTheEmbeddedStoreStopsStartUpWithOneClearLine() throws Exception {
        Map<String, String> env = environment();
        env.remove("STORE_URL");
        env.remove("STORE_USER");
        env.put("STORE_DATA_DIR", Files.createTempDirectory("gateway-store-").toString());
        Process p = start(env, "sqlite", "http://127.0.0.1:" + freePort());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("start-up gives up").isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "cluster-sqlite.log"))).contains("genesys-gateway cannot start:"
                + " cluster.zookeeper (CLUSTER_ZOOKEEPER) is set but the store is the embedded SQLite file");
    }

    @Test
    void anUnreachableZookeeperStopsStartUpWithOneClearLineWithinTheConnectTimeout() throws Exception {
        Map<String, String> env = environment();
        String nowhere = "127.0.0.1:" + freePort();
        env.put("CLUSTER_ZOOKEEPER", nowhere);
        env.put("CLUSTER_CONNECT_TIMEOUT_MILLIS", "3000");
        long started = System.nanoTime();
        Process p = start(env, "nozk", "http://127.0.0.1:" + freePort());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("start-up gives up").isTrue();
        long took = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("CLUSTER unreachable ZooKeeper: start-up refused after %d ms (connect time-out 3000 ms)%n", took);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "cluster-nozk.log")))
                .contains("genesys-gateway cannot start: ZooKeeper at " + nowhere + " did not answer within 3000 ms (CLUSTER_ZOOKEEPER)");
        assertThat(took).as("bounded: the JVM start plus the connect time-out").isLessThan(30_000);
    }

    // ------------------------------------------------------------------ helpers

    private boolean leads(String base) {
        try {
            return cluster(base).getBoolean("leader");
        } catch (Exception notAnswering) {
            return false;
        }
    }

    private JsonObject cluster(String base) throws Exception {
        return new JsonObject(get(base + "/status")).getJsonObject("cluster");
    }

    /** The topic is on a channel whose socket is open (the dead leader's channels keep theirs, without a socket). */
    private static boolean onOpenSocket(String id) {
        String topic = "v2.detail.events.conversation." + id + ".acw";
        return simulator.channels().stream().anyMatch(c -> c.topics().contains(topic) && c.hasOpenSocket());
    }

    private String track(String base) throws Exception {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                .header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return id;
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", KEY).timeout(Duration.ofSeconds(5)).build(),
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

    private Map<String, String> environment() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", KEY,
                "STORE_URL", postgres.createDatabase("cluster_" + System.nanoTime()), "STORE_USER", "postgres",
                "CLUSTER_ZOOKEEPER", zookeeper.getConnectString()));
        env.putAll(Map.of("HISTORY_POLL_MILLIS", "200", "HISTORY_BACKOFF_MILLIS", "200",
                // a record the dead leader had in flight is sent again by the other instance once its lease is over
                "HISTORY_LEASE_SECONDS", "10",
                "RECONCILE_POLL_SECONDS", "1", "RECONCILE_LINGER_SECONDS", "1", "RECONCILE_AFTER_GAP_SECONDS", "2,30",
                "CLUSTER_SESSION_TIMEOUT_MILLIS", "8000"));
        return env;
    }

    private Process start(Map<String, String> env, String name, String base) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).directory(new File(".")).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_")
                || k.startsWith("GATEWAY_") || k.startsWith("STORE_") || k.startsWith("RECONCILE_") || k.startsWith("CLUSTER_"));
        builder.environment().putAll(env);
        builder.environment().put("GATEWAY_PORT", base.substring(base.lastIndexOf(':') + 1));
        builder.environment().put("GATEWAY_INSTANCE_ID", "gateway-" + name);
        Path log = Path.of("target", "cluster-" + name + ".log");
        Files.writeString(log, "=== " + name + System.lineSeparator(), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }

    private void awaitUp(Process process, String base) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("the gateway process is running").isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
