package io.genesysgateway.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import io.genesysgateway.store.Database;
import io.genesysgateway.store.RecentCounts;

/**
 * What /status and the metrics show of the tracked conversations, read from the store at most once a second (the
 * metrics read each figure once per series and scrape): how many are in each state, and the triggers waiting for a
 * subscription.
 */
public class ConversationFigures {

    private final ConversationRepository conversations = new ConversationRepository();
    private final Clock clock = Clock.systemUTC();
    private Database database;
    private final RecentCounts counts = new RecentCounts(
            Arrays.stream(ConversationState.values()).map(ConversationState::label).toList(),
            () -> database.read(conversations::countsByState));
    private volatile Map<String, Object> lag;
    private volatile long lagReadAt;

    /** Conversations by state. */
    public Map<String, Long> countsByState() {
        return counts.get();
    }

    /**
     * The triggers not yet subscribed: how many ({@code waiting}), and how long the oldest has waited
     * ({@code oldestWaitingSeconds}, 0 when none). In cluster mode, how far the leader lags behind the triggers every
     * instance took.
     */
    public Map<String, Object> subscriptionLag() {
        Map<String, Object> last = lag;
        if (last != null && System.currentTimeMillis() - lagReadAt < 1000) {
            return last;
        }
        ConversationRepository.Unsubscribed waiting = database.read(conversations::unsubscribed);
        Instant oldest = waiting.oldestTrackedAt();
        long seconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds());
        lag = Map.of("waiting", waiting.count(), "oldestWaitingSeconds", seconds);
        lagReadAt = System.currentTimeMillis();
        return lag;
    }

    /** For the metrics. */
    public double waiting() {
        return ((Number) subscriptionLag().get("waiting")).doubleValue();
    }

    /** For the metrics. */
    public double oldestWaitingSeconds() {
        return ((Number) subscriptionLag().get("oldestWaitingSeconds")).doubleValue();
    }

    public void setDatabase(Database database) {
        this.database = database;
    }
}
