package io.genesysgateway.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.genesysgateway.conversation.ConversationStore;
import io.genesysgateway.conversation.ConversationStore.TrackOutcome;
import io.genesysgateway.store.Database;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: an instance that took a trigger for a client it does not lead tells that client's leader at once,
 * through PostgreSQL's LISTEN/NOTIFY on the shared store, so that the leader subscribes it within moments instead of
 * at its next retry. The conversation is
 * already committed (pending) when it is announced. A notice sent while nobody listens (a new leader before its
 * first LISTEN, a connection lost) is lost, and a fresh trigger is not among the pending-subscription retries: so each
 * time the leader starts listening it also takes, from the store, the triggers never yet put on a channel.
 */
public class TriggerNotices {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerNotices.class);
    static final String CHANNEL = "gateway_trigger";

    private Database database;
    private Leadership leadership;
    private ConversationStore conversations;
    /** The OAuth client this instance drives: the notices for other clients are their leaders'. */
    private String client = "";
    private Connection listening;

    /**
     * Tells the leader of the conversation's OAuth client that it waits for its subscription (sent once the store has
     * it). The notice is "conversation-id client": every leader hears it, the one of that client takes it.
     */
    public void announce(TrackOutcome tracked) {
        String notice = tracked.client() == null ? tracked.conversationId() : tracked.conversationId() + " " + tracked.client();
        database.read(sql -> sql.first("select pg_notify(?, ?)", row -> row.text(1), CHANNEL, notice));
    }

    /**
     * The leader: the conversations announced since the last call, waiting up to {@code millis} for the first. Alone
     * nobody else takes triggers: it waits as long and finds none.
     */
    public synchronized List<String> awaitAnnounced(int millis) throws InterruptedException {
        if (leadership.isAlone()) {
            Thread.sleep(millis);
            return List.of();
        }
        try {
            if (listening == null) {
                listening = database.dataSource().getConnection();
                listening.setAutoCommit(true);
                try (Statement listen = listening.createStatement()) {
                    listen.execute("listen " + CHANNEL);
                }
                // listening first, then the store: a trigger committed after this read is announced to us
                List<String> unannounced = conversations.neverSubscribed();
                if (!unannounced.isEmpty()) {
                    LOG.info("Listening for the followers' triggers; {} stored before that, not yet on a channel, are"
                            + " subscribed now", unannounced.size());
                    return unannounced;
                }
            }
            PGNotification[] notices = listening.unwrap(PGConnection.class).getNotifications(millis);
            List<String> ids = new ArrayList<>();
            if (notices != null) {
                for (PGNotification notice : notices) {
                    String[] idAndClient = notice.getParameter().split(" ", 2);
                    if (idAndClient.length == 1 || idAndClient[1].equals(client)) {
                        ids.add(idAndClient[0]);
                    }
                }
            }
            return ids;
        } catch (SQLException e) {
            LOG.warn("Listening for the followers' triggers failed, listening again: {}", e.getMessage());
            stopListening();
            Thread.sleep(millis); // the pending-subscription retry covers what is announced meanwhile
            return List.of();
        }
    }

    /** Leadership lost: notices are the new leader's; this connection stops collecting them. */
    public synchronized void stopListening() {
        if (listening != null) {
            try {
                listening.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing more to do
            }
            listening = null;
        }
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    public void setConversations(ConversationStore conversations) {
        this.conversations = conversations;
    }

    public void setClient(String client) {
        this.client = client == null ? "" : client;
    }
}
