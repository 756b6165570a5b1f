package io.genesysgateway.jar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways from the built jar over one PostgreSQL, led through a real ZooKeeper (Curator's TestingServer runs the
 * ZooKeeper server in this process): both take triggers, only the leader talks to Genesys; the leader is killed
 * ({@code kill -9}) while wrap-ups flow, the other one leads within the session time-out, and history gets every
 * wrap-up exactly once. Cluster mode's start-up refusals (embedded store, no ZooKeeper) too.
 */
class ClusterFailoverIT extends ClusterTestSupport {

    @Test
    void theOtherInstanceLeadsAfterKill9AndHistoryGetsEveryWrapupOnce() throws Exception {
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        String a = "http://127.0.0.1:" + ClusterGateways.freePort();
        String b = "http://127.0.0.1:" + ClusterGateways.freePort();
        Process first = gateways.start(env, "a", a);
        Process second = null;
        List<String> ids = new ArrayList<>();
        List<String> emittedDuringFailover = new CopyOnWriteArrayList<>();
        try {
            gateways.awaitUp(first, a);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateways.leads(a));
            second = gateways.start(env, "b", b);
            gateways.awaitUp(second, b);
            assertThat(gateways.leads(b)).as("the second instance follows").isFalse();
            assertThat(gateways.cluster(b).getString("leaderInstance")).isEqualTo("gateway-a");

            // triggers to both: each stored before its 202; the leader subscribes the follower's within moments
            long[] slowest = new long[2]; // taken by the leader, by the follower (the first trigger opens the channel)
            for (int i = 0; i < 30; i++) {
                boolean onFollower = i % 2 == 1;
                String id = gateways.track(onFollower ? b : a);
                long accepted = System.nanoTime();
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> gateways.onOpenSocket(id));
                if (i > 0) {
                    slowest[onFollower ? 1 : 0] = Math.max(slowest[onFollower ? 1 : 0], System.nanoTime() - accepted);
                }
            }
            System.out.printf("CLUSTER trigger to subscription: slowest %d ms taken by the leader, %d ms taken by the"
                    + " follower (15 each)%n", slowest[0] / 1_000_000, slowest[1] / 1_000_000);
            assertThat(slowest[1]).as("a follower's trigger is subscribed by the leader within moments (asked: 1 s)")
                    .isLessThan(3_000_000_000L);
            assertThat(new JsonObject(gateways.get(b + "/status")).getJsonObject("genesysCallsByStatus").isEmpty())
                    .as("the follower never called Genesys").isTrue();

            // ten wrap up and are delivered
            ids.subList(0, 10).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(20)).until(() -> gateways.recorded(ids.subList(0, 10)) == 10);

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
                return gateways.leads(b);
            });
            long takeover = System.nanoTime() - killed;
            System.out.printf("CLUSTER takeover after kill -9 of the leader: %d ms (session time-out %s ms)%n",
                    takeover / 1_000_000, env.get("CLUSTER_SESSION_TIMEOUT_MILLIS"));
            emitter.join(30_000);

            // the new leader takes new triggers too
            for (int i = 0; i < 5; i++) {
                String id = gateways.track(b);
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).until(() -> gateways.onOpenSocket(id));
                simulator.emitAcw(AcwEvent.sample(id));
            }
            long since = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateways.recorded(ids) == ids.size());
            System.out.printf("CLUSTER every wrap-up in history %.1f s after the last one was emitted%n",
                    (System.nanoTime() - since) / 1e9);
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [cluster] kill -9 of the leader while wrap-ups flow: emitted %d, delivered %d,"
                    + " duplicated %d%n", ids.size(), gateways.recorded(ids), gateways.duplicated(ids));
            assertThat(gateways.duplicated(ids)).isZero();
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
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        env.remove("STORE_URL");
        env.remove("STORE_USER");
        env.put("STORE_DATA_DIR", Files.createTempDirectory("gateway-store-").toString());
        Process p = gateways.start(env, "sqlite", "http://127.0.0.1:" + ClusterGateways.freePort());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("start-up gives up").isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "cluster-sqlite.log"))).contains("genesys-gateway cannot start:"
                + " cluster.zookeeper (CLUSTER_ZOOKEEPER) is set but the store is the embedded SQLite file");
    }

    @Test
    void anUnreachableZookeeperStopsStartUpWithOneClearLineWithinTheConnectTimeout() throws Exception {
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        String nowhere = "127.0.0.1:" + ClusterGateways.freePort();
        env.put("CLUSTER_ZOOKEEPER", nowhere);
        env.put("CLUSTER_CONNECT_TIMEOUT_MILLIS", "3000");
        long started = System.nanoTime();
        Process p = gateways.start(env, "nozk", "http://127.0.0.1:" + ClusterGateways.freePort());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("start-up gives up").isTrue();
        long took = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("CLUSTER unreachable ZooKeeper: start-up refused after %d ms (connect time-out 3000 ms)%n", took);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "cluster-nozk.log")))
                .contains("genesys-gateway cannot start: ZooKeeper at " + nowhere + " did not answer within 3000 ms (CLUSTER_ZOOKEEPER)");
        assertThat(took).as("bounded: the JVM start plus the connect time-out").isLessThan(30_000);
    }
}
