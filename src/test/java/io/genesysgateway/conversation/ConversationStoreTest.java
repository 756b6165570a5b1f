package io.genesysgateway.conversation;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.genesysgateway.conversation.AcwReceipt.Outcome;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.store.Database;
import io.genesysgateway.store.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch of wrap-ups offered to the store at once, as the live path does (route acw-commit), on both stores: each
 * gets its own outcome, in order, whatever else is in the batch; a repeated key is stored once, also within one
 * batch; a wrap-up of an untracked conversation writes nothing. Then the delivered marks of a batch.
 */
class ConversationStoreTest {

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void eachWrapupOfABatchGetsItsOwnOutcomeOnSqlite() throws Exception {
        Database sqlite = new Database();
        sqlite.setDataDir(Files.createTempDirectory("store-batch-").toString());
        eachWrapupOfABatchGetsItsOwnOutcome(sqlite);
    }

    @Test
    void eachWrapupOfABatchGetsItsOwnOutcomeOnPostgres() throws Exception {
        Database pg = new Database();
        pg.setUrl(postgres.createDatabase("store_batch_" + System.nanoTime()));
        pg.setUser("postgres");
        eachWrapupOfABatchGetsItsOwnOutcome(pg);
    }

    private static void eachWrapupOfABatchGetsItsOwnOutcome(Database database) throws Exception {
        database.start();
        try {
            Outbox outbox = new Outbox();
            outbox.setDatabase(database);
            ConversationStore store = new ConversationStore();
            store.setDatabase(database);
            store.setOutbox(outbox);
            String a = track(store, Map.of("customer", "a"));
            String b = track(store, Map.of("customer", "b"));
            String untracked = UUID.randomUUID().toString();
            assertThat(store.acwReceived(a, "acw:" + a + ":p0", "{\"n\":0}", "live").outcome()).isEqualTo(Outcome.STORED);

            List<AcwReceipt> receipts = store.acwReceived(List.of(
                    new AcwRecord(a, "acw:" + a + ":p1", "{\"n\":1}", "live"),
                    new AcwRecord(untracked, "acw:" + untracked + ":p1", "{\"n\":2}", "live"),
                    new AcwRecord(a, "acw:" + a + ":p0", "{\"n\":3}", "live"), // stored before
                    new AcwRecord(b, "acw:" + b + ":p1", "{\"n\":4}", "live"),
                    new AcwRecord(b, "acw:" + b + ":p1", "{\"n\":5}", "reconciled"))); // twice in this batch
            assertThat(receipts).extracting(AcwReceipt::outcome).containsExactly(
                    Outcome.STORED, Outcome.UNTRACKED, Outcome.DUPLICATE, Outcome.STORED, Outcome.DUPLICATE);
            assertThat(receipts.get(0).delivery().context()).isEqualTo(Map.of("customer", "a"));
            assertThat(receipts.get(3).delivery().envelope()).isEqualTo("{\"n\":4}");

            assertThat(store.describe(a)).containsEntry("state", "acw_received").containsEntry("acwEvents", 2);
            assertThat(store.describe(b)).containsEntry("state", "acw_received").containsEntry("acwEvents", 1);
            assertThat(store.describe(untracked)).isNull();
            assertThat(outbox.pendingCount()).isEqualTo(3);
            assertThat(outbox.load("acw:" + b + ":p1").envelope()).as("the first copy is the one kept").isEqualTo("{\"n\":4}");

            // delivered: a's two records and b's one, in one batch; every record of each is delivered, so both move on
            store.delivered(List.of(outbox.load("acw:" + a + ":p0"), receipts.get(0).delivery(), receipts.get(3).delivery()));
            for (String key : List.of("acw:" + a + ":p0", "acw:" + a + ":p1", "acw:" + b + ":p1")) {
                assertThat(outbox.load(key)).as("%s is no longer pending", key).isNull();
            }
            assertThat(store.describe(a)).containsEntry("state", "delivered");
            assertThat(store.describe(b)).containsEntry("state", "delivered");
        } finally {
            database.stop();
        }
    }

    private static String track(ConversationStore store, Map<String, Object> context) {
        String id = UUID.randomUUID().toString();
        assertThat(store.track(new TriggerRequest(id, context), "test-client").newlyTracked()).isTrue();
        return id;
    }
}
