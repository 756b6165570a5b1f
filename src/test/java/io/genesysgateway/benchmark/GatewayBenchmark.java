package io.genesysgateway.benchmark;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * bin/benchmark: the built jar ({@code java -jar}) against the simulator (Genesys' limits: 20 channels, 1,000
 * topics each, 300 requests per minute per token) and a history sink, all on loopback. Prints a table and writes
 * it to target/benchmark.md. Not part of the default test run.
 */
@Tag("benchmark")
class GatewayBenchmark {

    private static final int CONVERSATIONS = Integer.getInteger("benchmark.conversations", 20_000);
    private static final String KEY = "benchmark-key";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String[]> rows = new ArrayList<>();

    /** History records posted at once by the gateway (HISTORY_CONCURRENCY) and by the raw client it is compared with. */
    private static final int CONCURRENCY = Integer.getInteger("benchmark.concurrency", 8);

    /** One way of spreading the conversations over channels. */
    private record Topology(String name, int conversations, int topicsPerChannel) {
    }

    @Test
    void benchmark() throws Exception {
        // 2 channels: 1,000 topics on each (Genesys' limit); 20 channels: 19 carry topics, one is kept spare
        int two = Math.min(CONVERSATIONS, 2_000);
        int twenty = Math.min(CONVERSATIONS, 19_000);
        List<Topology> topologies = new ArrayList<>();
        if (!"20".equals(System.getProperty("benchmark.only"))) {
            topologies.add(new Topology("2 channels, " + two + " conversations", two, (two + 1) / 2));
        }
        if (!"2".equals(System.getProperty("benchmark.only"))) {
            topologies.add(new Topology("20 channels, " + twenty + " conversations", twenty, (twenty + 18) / 19));
        }
        List<Map<String, String>> results = new ArrayList<>();
        for (Topology t : topologies) {
            System.out.println("BENCH === " + t.name());
            results.add(run(t));
        }
        StringBuilder table = new StringBuilder("| measure |");
        topologies.forEach(t -> table.append(' ').append(t.name()).append(" |"));
        table.append("\n|---|").append("---|".repeat(topologies.size())).append('\n');
        for (String measure : results.get(0).keySet()) {
            table.append("| ").append(measure).append(" |");
            results.forEach(r -> table.append(' ').append(r.getOrDefault(measure, "")).append(" |"));
            table.append('\n');
        }
        String header = "Benchmark " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + CONCURRENCY + " records posted at once (gateway and raw client)\n\n";
        System.out.println("\nBENCHMARK\n" + header + table);
        Files.writeString(Path.of("target/benchmark.md"), header + table);
    }

    private Map<String, String> run(Topology topology) throws Exception {
        rows.clear();
        int conversations = topology.conversations();
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            // e.g. -Dbenchmark.gateway-jvm-options=-XX:StartFlightRecording=filename=target/gateway.jfr to profile
            String jvmOptions = System.getProperty("benchmark.gateway-jvm-options", "").trim();
            if (!jvmOptions.isEmpty()) {
                command.addAll(List.of(jvmOptions.split("\\s+")));
            }
            command.addAll(List.of("-jar", System.getProperty("benchmark.jar", "target/genesys-gateway.jar")));
            Path storeDir = java.nio.file.Files.createTempDirectory("gateway-benchmark-store-");
            ProcessBuilder builder = new ProcessBuilder(command).directory(new File(".")).redirectErrorStream(true)
                    .redirectOutput(new File("target/benchmark-gateway.log"));
            builder.environment().putAll(Map.of("GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", KEY, "GATEWAY_PORT", Integer.toString(port),
                    // a short linger so the channels have room again for the paced part
                    "RECONCILE_LINGER_SECONDS", "1",
                    // the default store (embedded SQLite file), fresh for each run
                    "STORE_DATA_DIR", storeDir.toString()));
            builder.environment().put("GENESYS_MAX_TOPICS_PER_CHANNEL", Integer.toString(topology.topicsPerChannel()));
            builder.environment().put("HISTORY_CONCURRENCY", Integer.toString(CONCURRENCY));
            long startNanos = System.nanoTime();
            Process gateway = builder.start();
            String base = "http://127.0.0.1:" + port;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> status(base + "/observe/health") == 200);
                row("java -jar to health UP", ms(System.nanoTime() - startNanos));
                row("heap after full GC / RSS, 0 tracked", memory(gateway.pid()));

                // 1. subscribe the conversations as fast as the client can send
                List<String> ids = newIds(conversations);
                int requestsBefore = simulator.requests().size();
                long t0 = System.nanoTime();
                trigger(base, ids, 64);
                long sent = System.nanoTime();
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> simulator.allTopics().size() >= conversations);
                long subscribed = System.nanoTime();
                int calls = simulator.requests().size() - requestsBefore;
                row("subscribe all (triggers sent in)", ms(subscribed - t0) + " (" + ms(sent - t0) + ")");
                row("Genesys API calls for that (tokens included)", Integer.toString(calls));
                row("channels / most topics on one channel", simulator.channels().size() + " / "
                        + simulator.channels().stream().mapToInt(c -> c.topics().size()).max().orElse(0));
                row("heap after full GC / RSS, all tracked", memory(gateway.pid()));

                // 2. one ACW event per conversation, all emitted at once
                Map<String, Long> emittedAt = new ConcurrentHashMap<>();
                long e0 = System.nanoTime();
                for (String id : ids) {
                    emittedAt.put(id, System.currentTimeMillis());
                    simulator.emitAcw(AcwEvent.sample(id));
                }
                long emitted = System.nanoTime();
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> sink.received().size() >= conversations);
                long delivered = System.nanoTime();
                List<Long> burst = latencies(sink, emittedAt);
                double gatewayRate = conversations / ((delivered - e0) / 1e9);
                row("ACW burst: delivered per second (emitted in)", String.format("%.0f", gatewayRate) + " (" + ms(emitted - e0) + ")");
                row("ACW burst latency p50 / p99 / max", percentiles(burst));
                row("duplicates at the sink", Integer.toString(sink.duplicates().size()));

                // after a (shortened) linger window each conversation is reconciled from analytics and closed
                long c0 = System.nanoTime();
                int analyticsBefore = simulator.requests(r -> r.path().contains("/analytics/")).size();
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                        .until(() -> simulator.allTopics().isEmpty());
                row("close all after a 1 s linger (reconciled, unsubscribed)", ms(System.nanoTime() - c0));
                row("analytics calls for that", Integer.toString(
                        simulator.requests(r -> r.path().contains("/analytics/")).size() - analyticsBefore));

                // 3. paced: 500 events per second
                int paced = Math.min(5_000, conversations);
                List<String> pacedIds = newIds(paced);
                trigger(base, pacedIds, 64);
                await().atMost(Duration.ofMinutes(5)).until(() -> pacedIds.stream().allMatch(id ->
                        simulator.channelWithTopic("v2.detail.events.conversation." + id + ".acw").isPresent()));
                Map<String, Long> pacedAt = new ConcurrentHashMap<>();
                long p0 = System.nanoTime();
                for (int i = 0; i < paced; i++) {
                    long due = p0 + i * 2_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    pacedAt.put(pacedIds.get(i), System.currentTimeMillis());
                    simulator.emitAcw(AcwEvent.sample(pacedIds.get(i)));
                }
                int expected = conversations + paced;
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> sink.received().size() >= expected);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    System.out.println("BENCH not all paced events arrived within 60 s");
                }
                row("latency at 500 events/s p50 / p99 / max (events)", percentiles(latencies(sink, pacedAt)) + " (" + paced + ")");
                row("store file (embedded SQLite) after the run", (java.nio.file.Files.size(storeDir.resolve("gateway.db")) >> 20) + " MB");
                row("events emitted / recorded / lost by Genesys (no socket)", expected + " / " + sink.received().size()
                        + " / " + simulator.eventsLost());

                // 4. the sink's raw capacity in the same run: the same records, the same concurrency as the gateway's
                List<String> bodies = sink.received().stream().limit(conversations).map(r -> r.body().encode()).toList();
                long r0 = System.nanoTime();
                post(sink.url(), bodies, CONCURRENCY);
                double raw = bodies.size() / ((System.nanoTime() - r0) / 1e9);
                row("sink raw capacity (plain HTTP client, " + CONCURRENCY + " concurrent), per second", String.format("%.0f", raw));
                row("gateway burst / raw", String.format("%.2f", gatewayRate / raw));
            } finally {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        rows.forEach(r -> out.put(r[0], r[1]));
        return out;
    }

    private void row(String what, String value) {
        rows.add(new String[] {what, value});
        System.out.println("BENCH " + what + ": " + value);
    }

    private void trigger(String base, List<String> ids, int concurrency) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        for (String id : ids) {
            inFlight.acquire();
            http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/customers/supportInteraction"))
                    .header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"conversationId\":\"" + id + "\",\"customerId\":\"C-1\"}")).build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 202) {
                            refused.incrementAndGet();
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
        if (refused.get() > 0) {
            throw new AssertionError(refused.get() + " triggers were not accepted");
        }
    }

    private void post(String url, List<String> bodies, int concurrency) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        for (String body : bodies) {
            inFlight.acquire();
            http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .header("Idempotency-Key", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> inFlight.release());
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
    }

    private static List<Long> latencies(HistorySink sink, Map<String, Long> emittedAt) {
        List<Long> out = new ArrayList<>();
        sink.received().forEach(r -> {
            Long at = emittedAt.get(r.body().getString("conversationId"));
            if (at != null) {
                out.add(r.receivedAtMillis() - at);
            }
        });
        Collections.sort(out);
        return out;
    }

    private static String percentiles(List<Long> sorted) {
        if (sorted.isEmpty()) {
            return "n/a";
        }
        return sorted.get(sorted.size() / 2) + " ms / " + sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1))
                + " ms / " + sorted.get(sorted.size() - 1) + " ms";
    }

    private static String memory(long pid) throws Exception {
        run("jcmd", Long.toString(pid), "GC.run");
        String heap = run("jcmd", Long.toString(pid), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(heap);
        long heapKb = used.find() ? Long.parseLong(used.group(1)) : -1;
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        long rssKb = rss.find() ? Long.parseLong(rss.group(1)) : -1;
        return (heapKb / 1024) + " MB / " + (rssKb / 1024) + " MB";
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<String> newIds(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        return ids;
    }

    private static String ms(long nanos) {
        return (nanos / 1_000_000) + " ms";
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
