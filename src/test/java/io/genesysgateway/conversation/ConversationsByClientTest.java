package io.genesysgateway.conversation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.genesysgateway.channel.ChannelCapacityException;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.store.Database;
import io.genesysgateway.store.PostgresServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two OAuth clients sharing one PostgreSQL store (two instances, one per client): each instance subscribes and
 * recovers only its own client's conversations; a repeated trigger keeps its client even when every client is full;
 * a new one is refused then; alone, an instance adopts the open conversations of a client it no longer drives.
 */
class ConversationsByClientTest {

    @Test
    void eachInstanceTakesOnlyItsOwnClientsConversations() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            Database database = new Database();
            database.setUrl(postgres.createDatabase("by_client_" + System.nanoTime()));
            database.setUser("postgres");
            database.start();
            try {
                ConversationStore one = store(database, "client-one");
                ConversationStore two = store(database, "client-two");
                String a = UUID.randomUUID().toString();
                String b = UUID.randomUUID().toString();
                assertThat(one.track(new TriggerRequest(a, Map.of()), "client-one").client()).isEqualTo("client-one");
                // taken by client one's instance, given to client two (it had more room)
                assertThat(one.track(new TriggerRequest(b, Map.of()), "client-two").client()).isEqualTo("client-two");

                assertThat(one.neverSubscribed()).containsExactly(a);
                assertThat(two.neverSubscribed()).containsExactly(b);
                assertThat(one.recover(false)).containsExactly(a);
                assertThat(two.recover(false)).containsExactly(b);
                assertThat(one.describe(b)).containsEntry("genesysClient", "client-two");

                // every client full: the repeated trigger is answered with its own client, a new one is refused
                assertThat(two.track(new TriggerRequest(a, Map.of()), null).client()).isEqualTo("client-one");
                String c = UUID.randomUUID().toString();
                assertThatThrownBy(() -> two.track(new TriggerRequest(c, Map.of()), null))
                        .isInstanceOf(ChannelCapacityException.class).hasMessageContaining("every OAuth client");
                assertThat(one.describe(c)).as("nothing stored for the refused one").isNull();

                // alone on a new client id: every open conversation is its own
                ConversationStore renamed = store(database, "client-three");
                assertThat(renamed.recover(true)).containsExactlyInAnyOrder(a, b);
                assertThat(one.pendingSubscriptions()).isEmpty();
            } finally {
                database.stop();
            }
        }
    }

    private static ConversationStore store(Database database, String client) {
        Outbox outbox = new Outbox();
        outbox.setDatabase(database);
        ConversationStore store = new ConversationStore();
        store.setDatabase(database);
        store.setOutbox(outbox);
        store.setClient(client);
        return store;
    }
}
