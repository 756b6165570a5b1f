package io.genesysgateway.benchmark;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import io.genesysgateway.conversation.ConversationStore;
import io.genesysgateway.conversation.TriggerRequest;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.store.Database;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's part of the hot path alone, on the embedded SQLite file: wrap-ups stored and records marked delivered
 * by as many callers as the routes use ({@code store.commit-concurrency}, 64), all through the one group-committing
 * writer. No socket, no HTTP: what the store costs per wrap-up, apart from the rest of a shared machine's noise.
 * {@code mvn -B -q test -Dtest=StoreHotPathBenchmark -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class StoreHotPathBenchmark {

    private static final int CALLERS = 64;
    private static final int PER_ROUND = Integer.getInteger("benchmark.store-records", 4000);
    private static final int ROUNDS = 3;

    @Test
    void wrapupsStoredAndDelivered() throws Exception {
        Database database = new Database();
        database.setDataDir(Files.createTempDirectory("store-hot-path-").toString());
        database.start();
        Outbox outbox = new Outbox();
        outbox.setDatabase(database);
        ConversationStore store = new ConversationStore();
        store.setDatabase(database);
        store.setOutbox(outbox);
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        List<Double> stored = new ArrayList<>();
        List<Double> delivered = new ArrayList<>();
        List<Double> mixed = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 2 * PER_ROUND; i++) {
                    ids.add(UUID.randomUUID().toString());
                }
                run(callers, ids.size(), i -> store.track(new TriggerRequest(ids.get(i), Map.of("n", i)), "benchmark-client"));
                String envelope = "{\"topicName\":\"v2.detail.events.conversation.x.acw\",\"eventBody\":{\"wrapup\":\"" + "x".repeat(400) + "\"}}";
                stored.add(run(callers, PER_ROUND, i -> store.acwReceived(ids.get(i), key(ids.get(i)), envelope, "live")));
                delivered.add(run(callers, PER_ROUND, i -> store.delivered(List.of(mark(ids.get(i))))));
                // as in a burst: half the callers store the second half, the other half marks them delivered after
                mixed.add(run(callers, 2 * (ids.size() - PER_ROUND), i -> {
                    String id = ids.get(PER_ROUND + i / 2);
                    if (i % 2 == 0) {
                        store.acwReceived(id, key(id), envelope, "live");
                    } else {
                        store.delivered(List.of(mark(id)));
                    }
                }));
            }
            assertThat(outbox.counts().get("delivered")).isPositive();
        } finally {
            callers.shutdownNow();
            database.stop();
        }
        System.out.printf("STORE HOT PATH (SQLite, %d callers, %d per round, median of %d): wrap-ups stored %.0f/s,"
                        + " delivered marks %.0f/s, stored and marked together %.0f calls/s%n", CALLERS, PER_ROUND, ROUNDS,
                median(stored), median(delivered), median(mixed));
        System.out.println("  rounds: stored " + stored + ", delivered " + delivered + ", together " + mixed);
    }

    private static String key(String id) {
        return "acw:" + id + ":agent";
    }

    /** Calls work(0..n-1) from the callers; calls per second. */
    private static double run(ExecutorService callers, int n, IntConsumer work) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        int chunk = (n + CALLERS - 1) / CALLERS;
        for (int c = 0; c < CALLERS; c++) {
            int from = c * chunk;
            int to = Math.min(n, from + chunk);
            futures.add(callers.submit(() -> {
                for (int i = from; i < to; i++) {
                    work.accept(i);
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return Math.round(sorted.get(sorted.size() / 2) * 10) / 10.0;
    }

    private static Outbox.Delivery mark(String id) {
        return new Outbox.Delivery(key(id), id, null, "live", 0, null);
    }
}
