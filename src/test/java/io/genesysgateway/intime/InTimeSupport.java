package io.genesysgateway.intime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.sink.HistorySink.Received;
import io.vertx.core.json.JsonObject;

import static org.awaitility.Awaitility.await;

/**
 * The "correct in time" scenarios: the gateway with its default reconciliation timing (not the shortened one the
 * other tests use), so the times printed are the ones users get.
 */
abstract class InTimeSupport extends GatewayTestSupport {

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("reconcile.after-gap-seconds", "3,60");
    }

    protected List<String> trackMany(int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = newConversationId();
            ids.add(id);
            trackAndAwaitSubscription(id, new JsonObject().put("caseId", "T-" + i));
        }
        return ids;
    }

    protected static List<Received> records(List<String> ids) {
        return sink.received().stream().filter(r -> ids.contains(r.body().getString("conversationId"))).toList();
    }

    protected static long delivered(List<String> ids) {
        return records(ids).stream().map(r -> r.body().getString("conversationId")).distinct().count();
    }

    protected static long duplicated(List<String> ids) {
        List<Received> records = records(ids);
        return records.size() - records.stream().map(Received::idempotencyKey).distinct().count();
    }

    /** Waits (at most {@code bound}) until every conversation has its record; returns the millis since {@code fromNanos}. */
    protected static long awaitDelivered(List<String> ids, long fromNanos, Duration bound) {
        await().atMost(bound).pollInterval(Duration.ofMillis(50)).until(() -> delivered(ids) == ids.size());
        return (System.nanoTime() - fromNanos) / 1_000_000;
    }

    protected static void report(String situation, String what, long millis) {
        System.out.printf("IN-TIME %s: %s %.1f s%n", situation, what, millis / 1000.0);
    }

    protected JsonObject conversation(String id) throws Exception {
        return new JsonObject(get("/customers/supportInteraction/" + id).body());
    }
}
