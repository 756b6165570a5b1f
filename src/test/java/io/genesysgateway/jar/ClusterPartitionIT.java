package io.genesysgateway.jar;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator.RecordedRequest;
import io.genesysgateway.simulator.GenesysSimulator.SimChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No split brain: the leader's connection to ZooKeeper is cut (a TCP proxy in this test stops forwarding, as a
 * network partition would) while wrap-ups flow. The cut-off leader closes its sockets and stops calling Genesys before
 * its ZooKeeper session can expire, so before the other instance is elected; the other leads, history gets every
 * wrap-up exactly once, and once the link is healed the old leader stays a follower that drives nothing.
 */
class ClusterPartitionIT extends ClusterTestSupport {

    @Test
    void aLeaderCutOffFromZookeeperStopsDrivingGenesysBeforeTheOtherLeads() throws Exception {
        URI zk = URI.create("zk://" + zookeeper.getConnectString());
        Map<String, String> env = gateways.environment(postgres, "");
        long sessionTimeout = Long.parseLong(env.get("CLUSTER_SESSION_TIMEOUT_MILLIS"));
        String a = "http://127.0.0.1:" + ClusterGateways.freePort();
        String b = "http://127.0.0.1:" + ClusterGateways.freePort();
        Process first = null;
        Process second = null;
        List<String> ids = new ArrayList<>();
        List<String> emittedDuringCut = new CopyOnWriteArrayList<>();
        try (CutProxy toA = new CutProxy(zk.getHost(), zk.getPort()); CutProxy toB = new CutProxy(zk.getHost(), zk.getPort())) {
            env.put("CLUSTER_ZOOKEEPER", toA.address());
            first = gateways.start(env, "cut-a", a);
            gateways.awaitUp(first, a);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateways.leads(a));
            env.put("CLUSTER_ZOOKEEPER", toB.address());
            second = gateways.start(env, "cut-b", b);
            gateways.awaitUp(second, b);
            assertThat(gateways.leads(b)).as("the second instance follows").isFalse();

            for (int i = 0; i < 30; i++) {
                String id = gateways.track(i % 2 == 0 ? a : b);
                ids.add(id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> gateways.onOpenSocket(id));
            }
            ids.subList(0, 10).forEach(id -> simulator.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(20)).until(() -> gateways.recorded(ids.subList(0, 10)) == 10);

            // everything that called Genesys so far is the leader: its channels and its tokens
            Set<String> leaderChannels = simulator.channels().stream().map(SimChannel::id).collect(Collectors.toSet());
            Set<String> leaderTokens = simulator.requests().stream().map(RecordedRequest::bearer)
                    .filter(t -> t != null && !t.isBlank()).collect(Collectors.toSet());
            assertThat(leaderChannels).isNotEmpty();
            assertThat(leaderTokens).isNotEmpty();

            // twenty wrap up one every 500 ms from the moment the leader is cut off
            Thread emitter = new Thread(() -> ids.subList(10, 30).forEach(id -> {
                simulator.emitAcw(AcwEvent.sample(id));
                emittedDuringCut.add(id);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            toA.cut();
            long cut = System.nanoTime();
            emitter.start();

            long[] socketsClosed = {0};
            long[] statusFollows = {0};
            long[] otherLeads = {0};
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).until(() -> {
                long now = System.nanoTime() - cut;
                if (socketsClosed[0] == 0 && simulator.channels().stream()
                        .noneMatch(c -> leaderChannels.contains(c.id()) && c.hasOpenSocket())) {
                    socketsClosed[0] = now;
                }
                if (statusFollows[0] == 0 && answersFollower(a)) {
                    statusFollows[0] = System.nanoTime() - cut; // when the answer came
                }
                if (otherLeads[0] == 0 && gateways.leads(b)) {
                    otherLeads[0] = now;
                }
                return socketsClosed[0] > 0 && statusFollows[0] > 0 && otherLeads[0] > 0;
            });
            System.out.printf("CLUSTER leader cut off from ZooKeeper (session time-out %d ms): its sockets closed after"
                            + " %d ms, its /status said it does not lead after %d ms, the other instance led after %d ms%n",
                    sessionTimeout, socketsClosed[0] / 1_000_000, statusFollows[0] / 1_000_000, otherLeads[0] / 1_000_000);
            assertThat(socketsClosed[0]).as("the cut-off leader closes its sockets before the other one leads")
                    .isLessThan(otherLeads[0]);
            assertThat(socketsClosed[0]).as("within the session time-out (a generous bound: %d ms)", 3 * sessionTimeout)
                    .isLessThan(3 * sessionTimeout * 1_000_000);
            long callsAfterItStopped = callsSince(leaderTokens, cut + socketsClosed[0] + 1_000_000_000L);
            assertThat(callsAfterItStopped).as("the cut-off leader makes no Genesys call a second after it gave up").isZero();
            emitter.join(30_000);

            // healed: the old leader reconnects and stays a follower that drives nothing
            toA.heal();
            long healed = System.nanoTime();
            Thread.sleep(5_000);
            assertThat(first.isAlive()).isTrue();
            assertThat(gateways.leads(a)).as("the old leader follows after the heal").isFalse();
            assertThat(gateways.cluster(a).getString("leaderInstance")).as("and knows who leads").isEqualTo("gateway-cut-b");
            assertThat(gateways.leads(b)).isTrue();
            assertThat(simulator.channels().stream().filter(c -> leaderChannels.contains(c.id()) && c.hasOpenSocket()))
                    .as("none of the old leader's sockets is open again").isEmpty();
            assertThat(callsSince(leaderTokens, healed)).as("the old leader makes no Genesys call after the heal").isZero();

            long since = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> gateways.recorded(ids) == ids.size());
            System.out.printf("CLUSTER every wrap-up in history %.1f s after the heal%n", (System.nanoTime() - since) / 1e9);
            Thread.sleep(2_000); // a duplicate, if any, would come now
            System.out.printf("DURABILITY [cluster] leader cut off from ZooKeeper while wrap-ups flow: emitted %d (%d during"
                    + " the cut), delivered %d, duplicated %d%n", ids.size(), emittedDuringCut.size(), gateways.recorded(ids),
                    gateways.duplicated(ids));
            assertThat(gateways.recorded(ids)).isEqualTo(ids.size());
            assertThat(gateways.duplicated(ids)).isZero();

            // and it still stands in the election: it leads once the other one stops
            second.toHandle().destroy();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> gateways.leads(a));
            System.out.printf("CLUSTER the healed instance led %d ms after the leader was stopped (SIGTERM)%n",
                    (System.nanoTime() - stopped) / 1_000_000);
        } finally {
            for (Process p : new Process[] {first, second}) {
                if (p != null) {
                    p.toHandle().destroy();
                    p.waitFor(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Its /status answered, and says it does not lead (no answer tells nothing). */
    private static boolean answersFollower(String base) {
        try {
            return !gateways.cluster(base).getBoolean("leader");
        } catch (Exception notAnswering) {
            return false;
        }
    }

    /** Genesys calls made with these tokens since {@code nanoTime} (the simulator stamps each request). */
    private static long callsSince(Set<String> tokens, long nanoTime) {
        long sinceMillis = System.currentTimeMillis() - (System.nanoTime() - nanoTime) / 1_000_000;
        return simulator.requests().stream()
                .filter(r -> tokens.contains(r.bearer()) && r.at().toEpochMilli() >= sinceMillis).count();
    }
}
