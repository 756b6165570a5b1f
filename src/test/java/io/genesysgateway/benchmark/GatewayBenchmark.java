package io.genesysgateway.benchmark;

import java.io.File;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.store.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * bin/benchmark: the built jar ({@code java -jar}) against the simulator (Genesys' limits: 20 channels, 1,000
 * topics each, 300 requests per minute per token) and a history sink, all on loopback, on each store (the embedded
 * SQLite file; a PostgreSQL server started here, fsync on) and each topology (2 channels, 20 channels), each run
 * beside the raw sink and the same path with no gateway. {@code benchmark.runs} runs of each, interleaved so that a
 * change in the machine's load spreads over all of them; prints the medians and every run, and writes them to
 * target/benchmark.md. Not part of the default test run.
 */
@Tag("benchmark")
class GatewayBenchmark {

    private static final int CONVERSATIONS = Integer.getInteger("benchmark.conversations", 20_000);
    private static final int RUNS = Integer.getInteger("benchmark.runs", 3);
    private static final List<String> STORES = List.of(System.getProperty("benchmark.stores", "sqlite,postgres").split(","));
    private static final String KEY = "benchmark-key";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String[]> rows = new ArrayList<>();
    private final Map<String, Double> figures = new LinkedHashMap<>();

    /** History records posted at once by the gateway (HISTORY_CONCURRENCY) and by the raw client it is compared with. */
    private static final int CONCURRENCY = Integer.getInteger("benchmark.concurrency", 8);

    /** One way of spreading the conversations over channels. */
    private record Topology(String name, int conversations, int topicsPerChannel) {
    }

    /** {@code env}: settings of the gateway that differ from its defaults in this configuration (a variant). */
    private record Config(String store, Topology topology, Map<String, String> env) {
        String name() {
            return store + ", " + topology.name() + (env.isEmpty() ? "" : ", " + env.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
    }

    private record Run(Map<String, String> rows, Map<String, Double> figures) {
    }

    private PostgresServer postgres;
    private int databases;

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
        // -Dbenchmark.variant=NAME=VALUE,NAME=VALUE: each configuration also runs with these gateway settings, in
        // the same interleaved runs, so that a change is measured against the code as it is on the same machine load
        Map<String, String> variant = new LinkedHashMap<>();
        for (String setting : System.getProperty("benchmark.variant", "").split(",")) {
            if (setting.contains("=")) {
                variant.put(setting.substring(0, setting.indexOf('=')).trim(), setting.substring(setting.indexOf('=') + 1).trim());
            }
        }
        List<Config> configs = new ArrayList<>();
        for (String store : STORES) {
            for (Topology t : topologies) {
                configs.add(new Config(store.trim(), t, Map.of()));
                if (!variant.isEmpty()) {
                    configs.add(new Config(store.trim(), t, variant));
                }
            }
        }
        if (STORES.contains("postgres")) {
            // durable like the SQLite store (fsync on, synchronous_commit on); WAL I/O timed for pg_stat_wal
            List<String> options = new ArrayList<>(List.of("-c", "track_wal_io_timing=on", "-c", "max_connections=50"));
            String extra = System.getProperty("benchmark.postgres-options", "").trim();
            if (!extra.isEmpty()) {
                options.addAll(List.of(extra.split("\\s+")));
            }
            postgres = PostgresServer.start(options);
        }
        Map<Config, List<Run>> results = new LinkedHashMap<>();
        configs.forEach(c -> results.put(c, new ArrayList<>()));
        try {
            for (int i = 1; i <= RUNS; i++) {
                for (Config c : configs) {
                    System.out.println("BENCH === " + c.name() + ", run " + i + " of " + RUNS);
                    try {
                        results.get(c).add(run(c, i));
                    } catch (PortTaken e) {
                        // another process took the free port between the check and the gateway's bind: once more
                        System.out.println("BENCH " + e.getMessage() + "; run again on another port");
                        results.get(c).add(run(c, i));
                    }
                }
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
        String report = report(results);
        System.out.println("\nBENCHMARK\n" + report);
        Files.writeString(Path.of("target/benchmark.md"), report);
    }

    private String report(Map<Config, List<Run>> results) {
        StringBuilder out = new StringBuilder("Benchmark " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, " + CONCURRENCY + " records posted at once (gateway, raw client, no-gateway path); medians of "
                + RUNS + " run(s) per configuration, runs interleaved\n\n");
        out.append("| store, topology | gateway burst /s | raw sink /s | gateway / raw | no gateway /s | gateway / no gateway "
                + "| burst p50 / p99 | paced 500/s p50 / p99 | CPU ms per wrap-up: gateway (without its JIT compiler) / load generator / PostgreSQL / no-gateway path "
                + "| load average (1 min) at start |\n|---|---|---|---|---|---|---|---|---|---|\n");
        results.forEach((c, runs) -> out.append("| ").append(c.name()).append(" | ")
                .append(median(runs, "gateway", "%.0f")).append(" | ").append(median(runs, "raw", "%.0f")).append(" | ")
                .append(median(runs, "ratio", "%.2f")).append(" | ").append(median(runs, "pipeline", "%.0f")).append(" | ")
                .append(median(runs, "ratioPipeline", "%.2f")).append(" | ")
                .append(median(runs, "burstP50", "%.0f")).append(" / ").append(median(runs, "burstP99", "%.0f")).append(" ms | ")
                .append(median(runs, "pacedP50", "%.0f")).append(" / ").append(median(runs, "pacedP99", "%.0f")).append(" ms | ")
                .append(median(runs, "gatewayCpu", "%.2f")).append(" (").append(median(runs, "gatewayCpuWithoutJit", "%.2f"))
                .append(") / ").append(median(runs, "loadGeneratorCpu", "%.2f"))
                .append(" / ").append(c.store().equals("postgres") ? median(runs, "othersCpu", "%.2f") : "-")
                .append(" / ").append(median(runs, "pipelineCpu", "%.2f")).append(" | ")
                .append(runs.stream().map(r -> String.format("%.1f", r.figures().get("load"))).collect(Collectors.joining(", ")))
                .append(" |\n"));
        out.append("\nEvery run (`a ; b ; c`), by configuration:\n");
        results.forEach((c, runs) -> {
            out.append("\n#### ").append(c.name()).append("\n\n| measure | runs |\n|---|---|\n");
            for (String measure : runs.get(0).rows().keySet()) {
                out.append("| ").append(measure).append(" | ").append(runs.stream()
                        .map(r -> r.rows().getOrDefault(measure, "")).collect(Collectors.joining(" ; "))).append(" |\n");
            }
        });
        return out.toString();
    }

    private static String median(List<Run> runs, String figure, String format) {
        List<Double> values = runs.stream().map(r -> r.figures().get(figure)).filter(java.util.Objects::nonNull).sorted().toList();
        if (values.isEmpty()) {
            return "n/a";
        }
        int n = values.size();
        double median = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
        return String.format(format, median);
    }

    private static final class PortTaken extends Exception {
        PortTaken(String message) {
            super(message);
        }
    }

    private Run run(Config config, int runIndex) throws Exception {
        rows.clear();
        figures.clear();
        Topology topology = config.topology();
        boolean onPostgres = config.store().equals("postgres");
        int conversations = topology.conversations();
        double load = loadAverage();
        figures.put("load", load);
        row("load average (1 min) at start / at end", String.format("%.2f", load));
        String label = config.store() + "-" + topology.conversations() + "-" + topology.topicsPerChannel()
                + (config.env().isEmpty() ? "" : "-variant") + "-" + runIndex;
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            // e.g. -Dbenchmark.gateway-jvm-options=-XX:StartFlightRecording=filename=target/gateway-{run}.jfr to profile;
            // {run} becomes store-conversations-topicsPerChannel-run
            String jvmOptions = System.getProperty("benchmark.gateway-jvm-options", "").trim();
            if (!jvmOptions.isEmpty()) {
                command.addAll(List.of(jvmOptions.replace("{run}", label).split("\\s+")));
            }
            // a variant BENCHMARK_JAR=path runs another build (e.g. the code before a change) in the same runs
            String jar = config.env().containsKey("BENCHMARK_JAR") ? new File(config.env().get("BENCHMARK_JAR")).getAbsolutePath()
                    : System.getProperty("benchmark.jar", "target/genesys-gateway.jar");
            command.addAll(List.of("-jar", jar));
            Path storeDir = java.nio.file.Files.createTempDirectory("gateway-benchmark-store-");
            // another build runs from a directory of its own: a gateway reads application.properties from where it runs
            // first, and this project's may name settings or classes that build does not have
            File workDir = config.env().containsKey("BENCHMARK_JAR")
                    ? java.nio.file.Files.createTempDirectory("gateway-benchmark-other-build-").toFile() : new File(".");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir).redirectErrorStream(true)
                    .redirectOutput(new File("target/benchmark-gateway-" + label + ".log"));
            builder.environment().putAll(Map.of("GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", KEY, "GATEWAY_PORT", Integer.toString(port),
                    // a short linger so the channels have room again for the paced part
                    "RECONCILE_LINGER_SECONDS", "1",
                    // the embedded SQLite file, fresh for each run (with PostgreSQL only the lock file goes there)
                    "STORE_DATA_DIR", storeDir.toString()));
            String database = null;
            if (onPostgres) {
                database = "bench" + (++databases);
                builder.environment().put("STORE_URL", postgres.createDatabase(database));
                builder.environment().put("STORE_USER", "postgres");
            }
            builder.environment().put("GENESYS_MAX_TOPICS_PER_CHANNEL", Integer.toString(topology.topicsPerChannel()));
            builder.environment().put("HISTORY_CONCURRENCY", Integer.toString(CONCURRENCY));
            config.env().forEach((name, value) -> {
                if (!name.equals("BENCHMARK_JAR")) {
                    builder.environment().put(name, value);
                }
            });
            long startNanos = System.nanoTime();
            Process gateway = builder.start();
            String base = "http://127.0.0.1:" + port;
            try {
                // generous: a loaded machine (other builds) has taken a minute to start a gateway
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> status(base + "/observe/health") == 200);
                // on a shared machine the port can be taken meanwhile; then the health answer came from someone else
                if (Files.readString(Path.of("target/benchmark-gateway-" + label + ".log")).contains("Address already in use")) {
                    throw new PortTaken("port " + port + " was taken before the gateway could bind it");
                }
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
                Map<String, Long> walBefore = onPostgres ? walStats(database) : Map.of();
                SinkConnections connections = new SinkConnections(sink.url());
                FsyncProbe fsyncs = onPostgres ? null : FsyncProbe.start(gateway.pid());
                CpuProbe cpu = onPostgres ? new CpuProbe(gateway.pid(), "postgres") : new CpuProbe(gateway.pid());
                long e0 = System.nanoTime();
                for (String id : ids) {
                    emittedAt.put(id, System.currentTimeMillis());
                    simulator.emitAcw(AcwEvent.sample(id));
                }
                long emitted = System.nanoTime();
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> sink.received().size() >= conversations);
                long delivered = System.nanoTime();
                String cpuDuringBurst = cpu.report(conversations);
                figures.put("gatewayCpu", cpu.gatewayMsPerRecord);
                figures.put("gatewayCpuWithoutJit", cpu.gatewayWithoutJitMsPerRecord);
                figures.put("loadGeneratorCpu", cpu.loadGeneratorMsPerRecord);
                figures.put("othersCpu", cpu.othersMsPerRecord);
                figures.put("gatewayWaited", cpu.gatewayWaitedPercent);
                connections.stop();
                List<Long> burst = latencies(sink, emittedAt);
                double gatewayRate = conversations / ((delivered - e0) / 1e9);
                figures.put("gateway", gatewayRate);
                figures.put("burstP50", (double) percentile(burst, 0.5));
                figures.put("burstP99", (double) percentile(burst, 0.99));
                row("ACW burst: delivered per second (emitted in)", String.format("%.0f", gatewayRate) + " (" + ms(emitted - e0) + ")");
                row("ACW burst latency p50 / p99 / max", percentiles(burst));
                row("duplicates at the sink", Integer.toString(sink.duplicates().size()));
                row("CPU during the burst (100% = one core; CPU ms per wrap-up)", cpuDuringBurst);
                row("connections to the sink during the burst, most at once", Integer.toString(connections.most()));
                if (!onPostgres) {
                    int[] syncs = new int[1];
                    row("SQLite during the burst: fsyncs / ms per fsync / longest / wrap-ups + marks per fsync",
                            FsyncProbe.stop(fsyncs, syncs) + " / " + String.format("%.1f", syncs[0] == 0 ? 0 : 2.0 * conversations / syncs[0]));
                }
                if (onPostgres) {
                    Map<String, Long> walAfter = walStats(database);
                    long syncs = walAfter.get("wal_sync") - walBefore.get("wal_sync");
                    long commits = walAfter.get("xact_commit") - walBefore.get("xact_commit");
                    double syncMs = (walAfter.get("wal_sync_time_us") - walBefore.get("wal_sync_time_us")) / 1000.0;
                    row("PostgreSQL during the burst: transactions committed / WAL fsyncs / ms per fsync / wrap-ups + marks per fsync",
                            commits + " / " + syncs + " / " + String.format("%.2f", syncs == 0 ? 0 : syncMs / syncs) + " / "
                                    + String.format("%.1f", syncs == 0 ? 0 : 2.0 * conversations / syncs));
                }

                // after a (shortened) linger window each conversation is reconciled from analytics and closed
                long c0 = System.nanoTime();
                int analyticsBefore = simulator.requests(r -> r.path().contains("/analytics/")).size();
                try {
                    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                            .until(() -> simulator.allTopics().isEmpty());
                    row("close all after a 1 s linger (reconciled, unsubscribed)", ms(System.nanoTime() - c0));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // a finding, not the end of the benchmark: the paced part below still runs on the topics left
                    row("close all after a 1 s linger (reconciled, unsubscribed)", "NOT DONE after 5 minutes: "
                            + simulator.allTopics().size() + " topics still subscribed at Genesys");
                }
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
                List<Long> pacedLatencies = latencies(sink, pacedAt);
                figures.put("pacedP50", (double) percentile(pacedLatencies, 0.5));
                figures.put("pacedP99", (double) percentile(pacedLatencies, 0.99));
                row("latency at 500 events/s p50 / p99 / max (events)", percentiles(pacedLatencies) + " (" + paced + ")");
                row("store size after the run", onPostgres ? (databaseBytes(database) >> 20) + " MB (PostgreSQL database)"
                        : (java.nio.file.Files.size(storeDir.resolve("gateway.db")) >> 20) + " MB (SQLite file)");
                row("events emitted / recorded / lost by Genesys (no socket)", expected + " / " + sink.received().size()
                        + " / " + simulator.eventsLost());

                // 4. the sink's raw capacity in the same run: the same records, the same concurrency as the gateway's
                List<String> bodies = sink.received().stream().limit(conversations).map(r -> r.body().encode()).toList();
                long r0 = System.nanoTime();
                post(sink.url(), bodies, CONCURRENCY);
                double raw = bodies.size() / ((System.nanoTime() - r0) / 1e9);
                figures.put("raw", raw);
                figures.put("ratio", gatewayRate / raw);
                row("sink raw capacity (plain HTTP client, " + CONCURRENCY + " concurrent), per second", String.format("%.0f", raw));
                row("gateway burst / raw", String.format("%.2f", gatewayRate / raw));
                String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/observe/metrics")).header("X-API-Key", KEY).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                row("lines at /observe/metrics (of them camel_exchange_event_notifier)", metrics.lines().count() + " ("
                        + metrics.lines().filter(l -> l.startsWith("camel_exchange_event_notifier")).count() + ")");
            } finally {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
        }
        // 5. the ceiling: the same burst and topology with no gateway (plain socket client straight to the sink)
        NoGatewayPipeline.Result pipeline = NoGatewayPipeline.run(conversations, topology.topicsPerChannel(), CONCURRENCY);
        figures.put("pipeline", pipeline.deliveredPerSecond());
        figures.put("ratioPipeline", figures.get("gateway") / pipeline.deliveredPerSecond());
        figures.put("pipelineCpu", pipeline.cpuMsPerRecord());
        row("no gateway (simulator -> plain socket client -> sink): emitted / read / delivered per second; CPU ms per record",
                String.format("%.0f / %.0f / %.0f; %.2f ms", pipeline.emitPerSecond(), pipeline.readPerSecond(),
                        pipeline.deliveredPerSecond(), pipeline.cpuMsPerRecord()));
        row("gateway burst / no gateway", String.format("%.2f", figures.get("ratioPipeline")));
        double end = loadAverage();
        rows.set(0, new String[] {rows.get(0)[0], String.format("%.2f / %.2f", load, end)});
        Map<String, String> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r[0], r[1]));
        return new Run(out, new LinkedHashMap<>(figures));
    }

    private static double loadAverage() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** WAL fsyncs (pg_stat_wal, server-wide) and transactions committed in the gateway's database. */
    private Map<String, Long> walStats(String database) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(database), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select w.wal_sync, (w.wal_sync_time * 1000)::bigint, d.xact_commit "
                     + "from pg_stat_wal w, pg_stat_database d where d.datname = current_database()")) {
            rs.next();
            return Map.of("wal_sync", rs.getLong(1), "wal_sync_time_us", rs.getLong(2), "xact_commit", rs.getLong(3));
        }
    }

    private long databaseBytes(String database) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(database), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_database_size(current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Established TCP connections to the sink's port, sampled every 100 ms from /proc/net/tcp. */
    private static final class SinkConnections {
        private final String port;
        private volatile boolean running = true;
        private volatile int most;
        private final Thread sampler;

        SinkConnections(String url) {
            port = String.format("%04X", URI.create(url).getPort());
            sampler = new Thread(() -> {
                while (running) {
                    try {
                        long n = 0;
                        // Java's sockets are IPv6 ones (127.0.0.1 as ::ffff:127.0.0.1) unless it prefers IPv4
                        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                            n += Files.readAllLines(Path.of(table)).stream().skip(1).map(l -> l.trim().split("\\s+"))
                                    .filter(f -> f[2].endsWith(":" + port) && f[3].equals("01")).count();
                        }
                        most = (int) Math.max(most, n);
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "sink-connections");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.join(1_000);
        }

        int most() {
            return most;
        }
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

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get((int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(sorted.size() * p) - 1)));
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
