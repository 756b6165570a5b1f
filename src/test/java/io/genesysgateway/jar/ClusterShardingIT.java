package io.genesysgateway.jar;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sharding across OAuth clients: three gateways from the built jar over one PostgreSQL and one ZooKeeper, a and b
 * driving client one, c driving client two. Every instance takes triggers and assigns each conversation to the client
 * with the most room; each client's leader subscribes only its own conversations on its own channels; when both
 * clients are full every instance answers 503; history gets every wrap-up once; kill -9 of client one's leader hands
 * client one to b and leaves client two's leader alone.
 */
class ClusterShardingIT extends ClusterTestSupport {

    static final String ONE = "shard-one";
    static final String TWO = "shard-two";
    // 2 channels, one kept spare: (2 - 1) x 3 = 3 conversations per client, 6 in all
    static final int CAPACITY = 3;
    /** Longer than the once-a-second refresh of the figures, so that each choice sees the triggers before it. */
    static final long PACE_MILLIS = 1_200;

    // the class's own simulator (two clients, small limits); the inherited default one is not used
    static GenesysSimulator twoClients;
    static ClusterGateways sharded;

    @BeforeAll
    static void twoClientSimulator() {
        twoClients = new GenesysSimulator(SimulatorSettings.defaults()
                .withClients(Map.of(ONE, "secret-one", TWO, "secret-two"))
                .withMaxChannels(2).withMaxTopicsPerChannel(CAPACITY)).start();
        sharded = new ClusterGateways(twoClients, sink);
    }

    @AfterAll
    static void stopTwoClientSimulator() {
        twoClients.close();
    }

    @Test
    void eachClientLeadsItsOwnConversationsAndAKill9MovesOnlyItsOwnClient() throws Exception {
        Map<String, String> env = sharded.environment(postgres, zookeeper.getConnectString());
        // the gateway's limits must match the simulator's: the capacity it assigns by is computed from its own
        env.put("GENESYS_MAX_CHANNELS", "2");
        env.put("GENESYS_MAX_TOPICS_PER_CHANNEL", Integer.toString(CAPACITY));
        Map<String, String> envOne = ClusterGateways.forClient(env, ONE, "secret-one");
        Map<String, String> envTwo = ClusterGateways.forClient(env, TWO, "secret-two");
        String a = "http://127.0.0.1:" + ClusterGateways.freePort();
        String b = "http://127.0.0.1:" + ClusterGateways.freePort();
        String c = "http://127.0.0.1:" + ClusterGateways.freePort();
        List<String> bases = List.of(a, b, c);
        Process first = sharded.start(envOne, "a", a);
        List<Process> others = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try {
            sharded.awaitUp(first, a);
            await().atMost(Duration.ofSeconds(30)).until(() -> sharded.leads(a));
            // b joins client one's election behind a; c is alone in client two's, so it leads that one
            Process second = sharded.start(envOne, "b", b);
            others.add(second);
            Process third = sharded.start(envTwo, "c", c);
            others.add(third);
            sharded.awaitUp(second, b);
            sharded.awaitUp(third, c);
            await().atMost(Duration.ofSeconds(30)).until(() -> sharded.leads(c));
            assertThat(sharded.leads(b)).as("b follows").isFalse();
            assertThat(sharded.cluster(b).getString("leaderInstance")).isEqualTo("gateway-a");
            assertThat(sharded.cluster(c).getString("leaderInstance")).as("c leads its own client").isEqualTo("gateway-c");
            for (String base : bases) {
                assertThat(sharded.cluster(base).getString("client")).as(base).isEqualTo(base.equals(c) ? TWO : ONE);
            }

            // every instance sees both shards, each with its leader and its capacity
            for (String base : bases) {
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    Map<String, JsonObject> clients = clients(base);
                    assertThat(clients).as(base).containsOnlyKeys(ONE, TWO);
                    assertThat(clients.get(ONE).getString("leaderInstance")).isEqualTo("gateway-a");
                    assertThat(clients.get(TWO).getString("leaderInstance")).isEqualTo("gateway-c");
                    assertThat(clients.values()).allMatch(s -> Integer.valueOf(CAPACITY).equals(s.getInteger("capacity")));
                });
            }

            // six triggers round-robin fill both clients: the most room wins each time, so three and three
            for (int i = 0; i < 2 * CAPACITY; i++) {
                ids.add(sharded.track(bases.get(i % 3)));
                Thread.sleep(PACE_MILLIS);
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, Long> perClient = new java.util.HashMap<>();
                for (String id : ids) {
                    perClient.merge(String.valueOf(sharded.genesysClient(a, id)), 1L, Long::sum);
                }
                assertThat(perClient).isEqualTo(Map.of(ONE, 3L, TWO, 3L));
            });
            // each conversation is subscribed by its own client's leader, on a channel of that client
            for (String id : ids) {
                String client = sharded.genesysClient(c, id);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> sharded.onOpenSocketOf(id, client));
            }

            // after a refresh both are seen full: every instance refuses a new conversation
            Thread.sleep(2_000);
            for (String base : bases) {
                HttpResponse<String> refused = sharded.trigger(base, UUID.randomUUID().toString());
                assertThat(refused.statusCode()).as(base + ": " + refused.body()).isEqualTo(503);
                assertThat(refused.body()).contains("channel capacity reached");
                Map<String, JsonObject> clients = clients(base);
                for (String client : List.of(ONE, TWO)) {
                    assertThat(clients.get(client).getInteger("open")).as(base + " " + client).isEqualTo(CAPACITY);
                    assertThat(clients.get(client).getInteger("room")).as(base + " " + client).isZero();
                }
            }
            // the figures are in the metrics too (on every instance, a series per client)
            for (String base : bases) {
                String metrics = sharded.get(base + "/observe/metrics");
                for (String client : List.of(ONE, TWO)) {
                    assertThat(metrics).as(base).containsPattern(series("genesys_gateway_client_open_conversations", client))
                            .containsPattern(series("genesys_gateway_client_capacity", client));
                }
            }

            // each wrap-up reaches history once, whichever client carried it
            ids.forEach(id -> twoClients.emitAcw(AcwEvent.sample(id)));
            await().atMost(Duration.ofSeconds(30)).until(() -> sharded.recorded(ids) == ids.size());
            Thread.sleep(2_000); // a duplicate, if any, would come now
            assertThat(sharded.duplicated(ids)).isZero();

            // kill -9 of client one's leader: b takes client one; c keeps client two all along
            first.destroyForcibly();
            long killed = System.nanoTime();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(sharded.leads(c)).as("c still leads client two").isTrue();
                return sharded.leads(b);
            });
            long takeover = System.nanoTime() - killed;
            System.out.printf("CLUSTER [sharding] kill -9 of client %s's leader: gateway-b leads it after %d ms (session"
                    + " time-out %s ms); gateway-c kept client %s%n", ONE, takeover / 1_000_000,
                    env.get("CLUSTER_SESSION_TIMEOUT_MILLIS"), TWO);
            assertThat(sharded.cluster(c).getLong("leadershipChanges")).as("c took the lead once and never lost it")
                    .isEqualTo(1L);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonObject one = clients(c).get(ONE); // absent for a moment if a's report ages out before b's
                assertThat(one).as("client one in c's /status").isNotNull();
                assertThat(one.getString("leaderInstance")).isEqualTo("gateway-b");
            });

            System.out.printf("DURABILITY [sharding] two OAuth clients, 3 instances: emitted %d, delivered %d,"
                    + " duplicated %d%n", ids.size(), sharded.recorded(ids), sharded.duplicated(ids));
            assertThat(sharded.duplicated(ids)).isZero();
            assertThat(takeover).as("b leads within the session time-out (allowed 30 s)").isLessThan(30_000_000_000L);
        } finally {
            first.destroyForcibly();
            for (Process p : others) {
                p.toHandle().destroy();
            }
            for (Process p : others) {
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code cluster.clients} of base's /status, by client id. */
    private static Map<String, JsonObject> clients(String base) throws Exception {
        JsonArray clients = sharded.cluster(base).getJsonArray("clients");
        assertThat(clients).as(base + " cluster.clients").isNotNull();
        return clients.stream().map(JsonObject.class::cast).collect(Collectors.toMap(o -> o.getString("client"), o -> o));
    }

    /** A Prometheus sample of {@code name} labelled client="{client}" (other labels may come with it). */
    private static Pattern series(String name, String client) {
        return Pattern.compile(Pattern.quote(name) + "\\{[^}]*client=\"" + Pattern.quote(client) + "\"[^}]*\\} 3\\.0");
    }
}
