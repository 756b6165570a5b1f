package io.genesysgateway.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Communication History down, on a small time scale: deliveries retry, readiness says why, an outage shorter than
 * the age limit leaves no dead letter however many attempts it takes, a longer one does (visibly) and is replayed
 * once history answers, and a refusal (4xx) is a dead letter at once.
 */
class HistoryOutageTest extends GatewayTestSupport {

    private static final int MAX_AGE_SECONDS = 20;

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("history.backoff-millis", "100");
        // back-off 50-100, 100-200, then 200-400 ms: the ten attempts that used to make a dead letter took ~3 s
        p.put("history.max-backoff-millis", "400");
        p.put("history.max-age-seconds", Integer.toString(MAX_AGE_SECONDS));
        p.put("history.unready-after-failures", "3");
        // ten failures in a row open the history breaker; records then wait this long, not counted as attempts
        p.put("history.breaker-open-seconds", "1");
    }

    @AfterEach
    void historyAnswersAgain() throws Exception {
        sink.recover();
        sink.failNext(0, 503);
        // what a test left waiting or dead-lettered for an outage is delivered before the next one starts
        await().atMost(Duration.ofSeconds(20)).until(() -> status().getJsonObject("historyRecords").getLong("pending") == 0
                && status().getLong("deadLetters") == 0);
    }

    @Test
    void aShortOutageIsRetriedAndReadinessReportsIt() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        double retriedBefore = deliveries("retried");
        sink.failNext(4, 503);

        simulator.emitAcw(AcwEvent.sample(id));

        await().atMost(Duration.ofSeconds(10)).until(() -> get("/observe/health/ready").body().contains("history deliveries failed"));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
        assertThat(sink.duplicates()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(get("/observe/health/ready").body()).startsWith("{\"status\":\"UP\""));
        assertThat(deliveries("retried") - retriedBefore).isEqualTo(4.0);
    }

    @Test
    void anOutageLongerThanTheOldRetryBudgetButShorterThanTheAgeLimitLeavesNoDeadLetter() throws Exception {
        // one record: with more, the breaker's refusals (not attempts) stretched the old ten attempts anyway
        List<String> ids = List.of(newConversationId());
        trackAndAwaitSubscription(ids.get(0), new JsonObject());
        double deadLettersBefore = deliveries("dead_letter");
        int refusedBefore = sink.refused();
        sink.outage(503);
        for (String id : ids) {
            simulator.emitAcw(AcwEvent.sample(id));
        }
        // 8 s: more than the ~3 s the ten attempts of history.max-attempts took, less than the age limit
        long end = System.currentTimeMillis() + 8_000;
        while (System.currentTimeMillis() < end) {
            assertThat(status().getLong("deadLetters")).as("dead letters during the outage").isZero();
            for (String id : ids) {
                assertThat(conversation(id).getString("state")).isNotEqualTo("dead_letter");
            }
            Thread.sleep(250);
        }
        int refused = sink.refused() - refusedBefore;
        long back = System.currentTimeMillis();
        sink.recover();

        await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id -> sink.forConversation(id).size() == 1));
        System.out.printf("8 s history outage, a record waiting: %d requests refused during it, all delivered %d ms after"
                + " history was back, %s dead letters%n", refused, System.currentTimeMillis() - back,
                deliveries("dead_letter") - deadLettersBefore);
        assertThat(deliveries("dead_letter") - deadLettersBefore).isZero();
        assertThat(sink.duplicates()).isEmpty();
        // probes are bounded: three quick attempts, then about one a second
        assertThat(refused).isLessThanOrEqualTo(3 + 8 + 4);
    }

    @Test
    void anOutageLongerThanTheAgeLimitEndsInTheDeadLetterStoreVisiblyAndIsReplayedWhenHistoryIsBack() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        sink.outage(503);
        long start = System.currentTimeMillis();

        simulator.emitAcw(AcwEvent.sample(id));

        await().atMost(Duration.ofSeconds(MAX_AGE_SECONDS + 20)).until(() -> status().getLong("deadLetters") == 1);
        System.out.printf("history down: the record became a dead letter after %d ms (age limit %d s)%n",
                System.currentTimeMillis() - start, MAX_AGE_SECONDS);
        assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(MAX_AGE_SECONDS * 1000L);
        JsonObject conversation = conversation(id);
        assertThat(conversation.getString("state")).isEqualTo("dead_letter");
        assertThat(conversation.getString("problem")).contains("503").contains("longer than " + MAX_AGE_SECONDS + " s");
        // while history is down the dead letter is sent as a probe now and then (pending for that moment)
        JsonObject letter = await().atMost(Duration.ofSeconds(5)).until(
                () -> deadLetters().stream().map(JsonObject.class::cast).findFirst(), java.util.Optional::isPresent).get();
        assertThat(letter.getBoolean("replayedOnRecovery")).isTrue();
        assertThat(sink.forConversation(id)).isEmpty();

        // with nothing pending, the dead letter itself probes; history back, it is replayed
        long back = System.currentTimeMillis();
        sink.recover();
        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        System.out.printf("history back: the dead letter delivered %d ms later%n", System.currentTimeMillis() - back);
        await().atMost(Duration.ofSeconds(5)).until(() -> status().getLong("deadLetters") == 0);
        assertThat(sink.duplicates()).isEmpty();
    }

    @Test
    void aRefusedRecordIsADeadLetterAtOnce() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        sink.failNext(1, 422);
        long start = System.currentTimeMillis();

        simulator.emitAcw(AcwEvent.sample(id));

        await().atMost(Duration.ofSeconds(5)).until(() -> status().getLong("deadLetters") == 1);
        System.out.printf("a 422 made a dead letter in %d ms%n", System.currentTimeMillis() - start);
        // while history is down the dead letter is sent as a probe now and then (pending for that moment)
        JsonObject letter = await().atMost(Duration.ofSeconds(5)).until(
                () -> deadLetters().stream().map(JsonObject.class::cast).findFirst(), java.util.Optional::isPresent).get();
        assertThat(letter.getInteger("attempts")).as("a 422 is not retried").isEqualTo(1);
        assertThat(letter.getBoolean("replayedOnRecovery")).isFalse();
        assertThat(conversation(id).getString("state")).isEqualTo("dead_letter");

        // replayed on request (and so out of the way of the next test)
        assertThat(post("/dead-letters/replay?idempotencyKey=" + letter.getString("idempotencyKey"), "").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);
    }

    private JsonObject conversation(String id) throws Exception {
        return new JsonObject(get("/customers/supportInteraction/" + id).body());
    }

    private JsonArray deadLetters() throws Exception {
        return new JsonArray(get("/dead-letters").body());
    }

    private double deliveries(String outcome) throws Exception {
        var m = Pattern.compile("genesys_gateway_deliveries_total\\{outcome=\"" + outcome + "\"} ([0-9.]+)")
                .matcher(get("/observe/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
