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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.sink.HistorySink.Received;
import io.genesysgateway.store.PostgresServer;
import io.vertx.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Gateway processes from the built jar in cluster mode, against the simulator and the history sink: how the cluster
 * ITs start them, send them triggers, read their /status and count what history got.
 */
final class ClusterGateways {

    static final Path JAR = Path.of("target/genesys-gateway.jar");
    static final String KEY = "cluster-key";
    private final GenesysSimulator simulator;
    private final HistorySink sink;
    private final HttpClient http = HttpClient.newHttpClient();

    ClusterGateways(GenesysSimulator simulator, HistorySink sink) {
        this.simulator = simulator;
        this.sink = sink;
    }

    /** The settings every instance shares: a fresh database, short history and reconciliation periods. */
    Map<String, String> environment(PostgresServer postgres, String zookeeper) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", KEY,
                "STORE_URL", postgres.createDatabase("cluster_" + System.nanoTime()), "STORE_USER", "postgres",
                "CLUSTER_ZOOKEEPER", zookeeper));
        env.putAll(Map.of("HISTORY_POLL_MILLIS", "200", "HISTORY_BACKOFF_MILLIS", "200",
                // a record the dead leader had in flight is sent again by the other instance once its lease is over
                "HISTORY_LEASE_SECONDS", "10",
                "RECONCILE_POLL_SECONDS", "1", "RECONCILE_LINGER_SECONDS", "1", "RECONCILE_AFTER_GAP_SECONDS", "2,30",
                "CLUSTER_SESSION_TIMEOUT_MILLIS", "8000"));
        return env;
    }

    /** Starts gateway-{name} on {@code base}'s port; its output goes to a new target/cluster-{name}.log. */
    Process start(Map<String, String> env, String name, String base) throws IOException {
        return start(env, name, base, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Starts gateway-{name} again: its output is added to its log. */
    Process startAgain(Map<String, String> env, String name, String base) throws IOException {
        return start(env, name, base, StandardOpenOption.APPEND);
    }

    private Process start(Map<String, String> env, String name, String base, StandardOpenOption logMode) throws IOException {
        assertThat(JAR).as("built by mvn package").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).directory(new File(".")).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GENESYS_") || k.startsWith("HISTORY_")
                || k.startsWith("GATEWAY_") || k.startsWith("STORE_") || k.startsWith("RECONCILE_") || k.startsWith("CLUSTER_"));
        builder.environment().putAll(env);
        builder.environment().put("GATEWAY_PORT", base.substring(base.lastIndexOf(':') + 1));
        builder.environment().put("GATEWAY_INSTANCE_ID", "gateway-" + name);
        Path log = Path.of("target", "cluster-" + name + ".log");
        Files.writeString(log, "=== " + name + System.lineSeparator(), StandardOpenOption.CREATE, logMode);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }

    void awaitUp(Process process, String base) {
        RunningGateway.awaitUp(process, base, Duration.ofSeconds(60));
    }

    boolean leads(String base) {
        try {
            return cluster(base).getBoolean("leader");
        } catch (Exception notAnswering) {
            return false;
        }
    }

    JsonObject cluster(String base) throws Exception {
        return new JsonObject(get(base + "/status")).getJsonObject("cluster");
    }

    /** The topic is on a channel whose socket is open (a dead leader's channels keep theirs, without a socket). */
    boolean onOpenSocket(String id) {
        String topic = "v2.detail.events.conversation." + id + ".acw";
        return simulator.channels().stream().anyMatch(c -> c.topics().contains(topic) && c.hasOpenSocket());
    }

    /** A copy of {@code env} that drives another OAuth client (a shard of the same cluster: same store, same ZooKeeper). */
    static Map<String, String> forClient(Map<String, String> env, String clientId, String secret) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("GENESYS_CLIENT_ID", clientId);
        copy.put("GENESYS_CLIENT_SECRET", secret);
        return copy;
    }

    /** The topic is on an open socket of a channel that {@code clientId} owns. */
    boolean onOpenSocketOf(String id, String clientId) {
        String topic = "v2.detail.events.conversation." + id + ".acw";
        return simulator.channels().stream()
                .anyMatch(c -> c.clientId().equals(clientId) && c.topics().contains(topic) && c.hasOpenSocket());
    }

    /** The OAuth client the conversation is assigned to, as {@code base} tells it (null when it does not say). */
    String genesysClient(String base, String id) throws Exception {
        return new JsonObject(get(base + "/customers/supportInteraction/" + id)).getString("genesysClient");
    }

    /** Sends a trigger for a new conversation; asserts its 202 and returns the conversation id. */
    String track(String base) throws Exception {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> r = trigger(base, id);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return id;
    }

    /** Sends a trigger for {@code id}: null when it is accepted (202), else why not (status and body, or the error). */
    String refusal(String base, String id) {
        try {
            HttpResponse<String> r = trigger(base, id);
            return r.statusCode() == 202 ? null : r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    HttpResponse<String> trigger(String base, String id) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                .header("X-API-Key", KEY).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", KEY).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** How many of these conversations history recorded (distinct Idempotency-Keys). */
    long recorded(Collection<String> ids) {
        return records(ids).stream().map(Received::idempotencyKey).distinct().count();
    }

    /** Records beyond the first per Idempotency-Key, for these conversations. */
    long duplicated(Collection<String> ids) {
        List<Received> records = records(ids);
        return records.size() - records.stream().map(Received::idempotencyKey).distinct().count();
    }

    private List<Received> records(Collection<String> ids) {
        Set<String> wanted = ids instanceof Set<String> set ? set : new HashSet<>(ids);
        return sink.received().stream().filter(r -> wanted.contains(r.body().getString("conversationId"))).toList();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
