package io.genesysgateway.jar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rolling restart: two gateways, each in turn stopped (SIGTERM) and started again while triggers go to the instances
 * that are up (as a load balancer sends them) and wrap-ups flow. No trigger is refused by a live instance, history
 * gets every wrap-up exactly once.
 */
class ClusterRollingRestartIT extends ClusterTestSupport {

    @Test
    void restartingEachInstanceInTurnRefusesNoTriggerAndLosesNothing() throws Exception {
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        Map<String, String> bases = Map.of("a", "http://127.0.0.1:" + ClusterGateways.freePort(),
                "b", "http://127.0.0.1:" + ClusterGateways.freePort());
        Map<String, Process> processes = new ConcurrentHashMap<>();
        Set<String> up = ConcurrentHashMap.newKeySet(); // what the load balancer sends to
        List<String> accepted = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        Set<String> emitted = ConcurrentHashMap.newKeySet();
        AtomicBoolean feeding = new AtomicBoolean(true);
        try {
            for (String name : List.of("a", "b")) {
                processes.put(name, gateways.start(env, "roll-" + name, bases.get(name)));
            }
            for (String name : List.of("a", "b")) {
                gateways.awaitUp(processes.get(name), bases.get(name));
                up.add(name);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> gateways.leads(bases.get("a")) || gateways.leads(bases.get("b")));
            clusterIsShownOnBoth(bases);

            // a trigger every 100 ms to an instance that is up, and the wrap-up of each conversation once it is subscribed
            Thread feeder = new Thread(() -> {
                int n = 0;
                while (feeding.get()) {
                    List<String> live = new ArrayList<>(up);
                    if (!live.isEmpty()) {
                        String name = live.get(n++ % live.size());
                        String id = UUID.randomUUID().toString();
                        String why = gateways.refusal(bases.get(name), id);
                        if (why == null) {
                            accepted.add(id);
                        } else {
                            refused.add(name + ": " + why);
                        }
                    }
                    accepted.stream().filter(id -> !emitted.contains(id) && gateways.onOpenSocket(id)).forEach(id -> {
                        simulator.emitAcw(AcwEvent.sample(id));
                        emitted.add(id);
                    });
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            feeder.start();
            Thread.sleep(2_000);

            for (String name : List.of("a", "b")) {
                String base = bases.get(name);
                up.remove(name);
                Thread.sleep(300); // the load balancer has taken it out
                long stopping = System.nanoTime();
                processes.get(name).toHandle().destroy(); // SIGTERM
                assertThat(processes.get(name).waitFor(60, TimeUnit.SECONDS)).as("gateway-%s stops", name).isTrue();
                long stopped = System.nanoTime();
                Process again = gateways.startAgain(env, "roll-" + name, base);
                processes.put(name, again);
                gateways.awaitUp(again, base);
                up.add(name);
                System.out.printf("CLUSTER rolling restart of gateway-%s: stopped in %d ms, up again %d ms later;"
                                + " %d trigger(s) accepted so far%n", name, (stopped - stopping) / 1_000_000,
                        (System.nanoTime() - stopped) / 1_000_000, accepted.size());
                Thread.sleep(2_000);
            }
            feeding.set(false);
            feeder.join(10_000);

            // the conversations not yet wrapped up wrap up now
            for (String id : accepted) {
                if (!emitted.contains(id)) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> gateways.onOpenSocket(id));
                    simulator.emitAcw(AcwEvent.sample(id));
                    emitted.add(id);
                }
            }
            long since = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateways.recorded(accepted) == accepted.size());
            System.out.printf("CLUSTER every wrap-up in history %.1f s after the last one was emitted%n",
                    (System.nanoTime() - since) / 1e9);
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [cluster] rolling restart of two instances: triggers accepted %d, refused %d;"
                    + " wrap-ups emitted %d, delivered %d, duplicated %d%n", accepted.size(), refused.size(),
                    emitted.size(), gateways.recorded(accepted), gateways.duplicated(accepted));
            assertThat(refused).as("no trigger refused by a live instance").isEmpty();
            assertThat(gateways.duplicated(accepted)).isZero();
            clusterIsShownOnBoth(bases);
            for (String base : bases.values()) {
                assertThat(new JsonObject(gateways.get(base + "/status")).getJsonObject("subscriptionLag"))
                        .as("every trigger is on a channel").isEqualTo(new JsonObject(Map.of("waiting", 0, "oldestWaitingSeconds", 0)));
            }
        } finally {
            feeding.set(false);
            for (Process p : processes.values()) {
                p.toHandle().destroy();
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * What an operator sees of the cluster on each instance: both instances in the election, one leader named alike
     * on both (since a time), each one's role in /status, readiness and metrics; the follower is ready although it
     * holds no token and no socket.
     */
    private static void clusterIsShownOnBoth(Map<String, String> bases) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            String leader = null;
            for (String base : bases.values()) {
                JsonObject cluster = gateways.cluster(base);
                assertThat(cluster.getJsonArray("instances").getList()).as(base).containsExactly("gateway-roll-a", "gateway-roll-b");
                assertThat(cluster.getString("lastElectionAt")).as(base).isNotEmpty();
                assertThat(cluster.getString("role")).isEqualTo(cluster.getBoolean("leader") ? "leader" : "follower");
                if (leader != null) {
                    assertThat(cluster.getString("leaderInstance")).as("both name the same leader").isEqualTo(leader);
                }
                leader = cluster.getString("leaderInstance");
                assertThat(new JsonObject(gateways.get(base + "/observe/health/ready")).getString("status"))
                        .as(base + " is ready").isEqualTo("UP");
                String metrics = gateways.get(base + "/observe/metrics");
                assertThat(metrics).contains("genesys_gateway_cluster_instances 2.0")
                        .contains("genesys_gateway_cluster_leader{client=\"" + SimulatorSettings.CLIENT_ID + "\"} "
                                + (cluster.getBoolean("leader") ? "1.0" : "0.0"));
            }
            assertThat(leader).isIn("gateway-roll-a", "gateway-roll-b");
        });
    }
}
