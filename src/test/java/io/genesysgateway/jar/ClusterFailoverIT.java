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
 * Three gateways from the built jar over one PostgreSQL, led through a real ZooKeeper (Curator's TestingServer runs the
 * ZooKeeper server in this process): all take triggers, only the leader talks to Genesys; the leader is killed
 * ({@code kill -9}) while wrap-ups flow, exactly one of the other two leads within the session time-out and the third
 * follows it, and history gets every wrap-up exactly once. Cluster mode's start-up refusals (embedded store, no
 * ZooKeeper) too.
 */
class ClusterFailoverIT extends ClusterTestSupport {

    @Test
    void oneOfTheOthersLeadsAfterKill9AndHistoryGetsEveryWrapupOnce() throws Exception {
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        String a = "http://127.0.0.1:" + ClusterGateways.freePort();
        String b = "http://127.0.0.1:" + ClusterGateways.freePort();
        String c = "http://127.0.0.1:" + ClusterGateways.freePort();
        Process first = gateways.start(env, "a", a);
        List<Process> standbys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> emittedDuringFailover = new CopyOnWriteArrayList<>();
        try {
            gateways.awaitUp(first, a);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateways.leads(a));
            // b and c start side by side: both join behind the leader
            Process second = gateways.start(env, "b", b);
            standbys.add(second);
            Process third = gateways.start(env, "c", c);
            standbys.add(third);
            gateways.awaitUp(second, b);
            gateways.awaitUp(third, c);
            for (String follower : List.of(b, c)) {
                assertThat(gateways.leads(follower)).as(follower + " follows").isFalse();
                assertThat(gateways.cluster(follower).getString("leaderInstance")).as(follower).isEqualTo("gateway-a");
            }

            // triggers to all three: each stored before its 202; the leader subscribes the followers' within moments
            List<String> bases = List.of(a, b, c);
            long[] slowest = new long[2]; // taken by the leader, by a follower (the first trigger opens the channel)
            for (int i = 0; i < 30; i++) {
                boolean onFollower = i % 3 != 0;
                String id = gateways.track(bases.get(i % 3));
                long accepted = System.nanoTime();
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> gateways.onOpenSocket(id));
                if (i > 0) {
                    slowest[onFollower ? 1 : 0] = Math.max(slowest[onFollower ? 1 : 0], System.nanoTime() - accepted);
                }
            }
            System.out.printf("CLUSTER trigger to subscription: slowest %d ms taken by the leader (10), %d ms taken by"
                    + " a follower (20)%n", slowest[0] / 1_000_000, slowest[1] / 1_000_000);
            assertThat(slowest[1]).as("a follower's trigger is subscribed by the leader within moments (asked: 1 s)")
                    .isLessThan(3_000_000_000L);
            for (String follower : List.of(b, c)) {
                assertThat(new JsonObject(gateways.get(follower + "/status")).getJsonObject("genesysCallsByStatus").isEmpty())
                        .as(follower + " never called Genesys").isTrue();
            }

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
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(second.isAlive() && third.isAlive()).as("b and c are running").isTrue();
                return gateways.leads(b) || gateways.leads(c);
            });
            long takeover = System.nanoTime() - killed;
            String leader = gateways.leads(b) ? b : c;
            String follower = leader.equals(b) ? c : b;
            String leaderName = leader.equals(b) ? "gateway-b" : "gateway-c";
            System.out.printf("CLUSTER takeover after kill -9 of the leader: %s leads after %d ms (session time-out %s ms)%n",
                    leaderName, takeover / 1_000_000, env.get("CLUSTER_SESSION_TIMEOUT_MILLIS"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(gateways.cluster(follower).getString("leaderInstance")).as("the other one follows the new leader")
                            .isEqualTo(leaderName));
            assertThat(gateways.leads(follower)).as("exactly one leads").isFalse();
            emitter.join(30_000);

            // triggers after the takeover, to the remaining follower and the new leader, are subscribed and delivered
            long[] slowestAfter = new long[2]; // taken by the new leader, by the follower
            for (int i = 0; i < 6; i++) {
                boolean onFollower = i % 2 == 0;
                String id = gateways.track(onFollower ? follower : leader);
                long accepted = System.nanoTime();
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> gateways.onOpenSocket(id));
                slowestAfter[onFollower ? 1 : 0] = Math.max(slowestAfter[onFollower ? 1 : 0], System.nanoTime() - accepted);
                simulator.emitAcw(AcwEvent.sample(id));
            }
            System.out.printf("CLUSTER after the takeover, trigger to subscription: slowest %d ms taken by the new leader (3),"
                    + " %d ms taken by the follower (3)%n", slowestAfter[0] / 1_000_000, slowestAfter[1] / 1_000_000);
            long since = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateways.recorded(ids) == ids.size());
            System.out.printf("CLUSTER every wrap-up in history %.1f s after the last one was emitted%n",
                    (System.nanoTime() - since) / 1e9);
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [cluster] kill -9 of the leader of three while wrap-ups flow: emitted %d,"
                    + " delivered %d, duplicated %d%n", ids.size(), gateways.recorded(ids), gateways.duplicated(ids));
            assertThat(gateways.duplicated(ids)).isZero();
            assertThat(takeover).as("a standby leads within the session time-out (promised 10 s, allowed 30 s)")
                    .isLessThan(30_000_000_000L);
            assertThat(List.of(gateways.leads(leader), gateways.leads(follower))).as("still exactly one leader")
                    .containsExactly(true, false);
            assertThat(new JsonObject(gateways.get(follower + "/status")).getJsonObject("genesysCallsByStatus").isEmpty())
                    .as("the remaining follower never called Genesys").isTrue();
        } finally {
            first.destroyForcibly();
            for (Process p : standbys) {
                p.toHandle().destroy();
            }
            for (Process p : standbys) {
                p.waitFor(60, TimeUnit.SECONDS);
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
