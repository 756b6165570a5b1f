package io.genesysgateway.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.genesysgateway.history.ContextJson;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.reconcile.AnalyticsFindings;
import io.genesysgateway.reconcile.ReconcileSchedule;
import io.genesysgateway.store.Database;
import io.genesysgateway.store.RecentCounts;
import io.genesysgateway.store.Sql;
import io.genesysgateway.store.StoreException;

/**
 * The tracked conversations as the routes use them: each call is one unit of work in the store, over the
 * conversation's row ({@link ConversationRepository}) and, where a wrap-up is concerned, its records in the outbox,
 * so that both change together or not at all. When Genesys is asked next is {@link ReconcileSchedule}'s decision.
 */
public class ConversationStore {

    /** The answer to a trigger: whether this call started tracking, and whether a subscription is needed. */
    public record TrackOutcome(String conversationId, boolean newlyTracked, boolean needsSubscription) {
    }

    /** A reconciliation in flight holds its conversation this long; a crash mid-way retries after it. */
    private static final Duration RECONCILE_LEASE = Duration.ofMinutes(2);

    private final ConversationRepository conversations = new ConversationRepository();
    private final ReconcileSchedule schedule = new ReconcileSchedule();
    private Database database;
    private Outbox outbox;
    private final Clock clock = Clock.systemUTC();
    private volatile Map<String, Object> lag;
    private volatile long lagReadAt;
    private final RecentCounts counts = new RecentCounts(
            Arrays.stream(ConversationState.values()).map(ConversationState::label).toList(),
            () -> database.read(conversations::countsByState));

    public TrackOutcome track(TriggerRequest request) {
        String id = request.conversationId();
        String context = ContextJson.write(request.context());
        Instant now = clock.instant();
        try {
            database.commit(sql -> conversations.insert(sql, id, context, now, schedule.firstAsk(now), "no wrap-up yet"));
            return new TrackOutcome(id, true, true);
        } catch (StoreException e) {
            if (!e.isDuplicateKey()) {
                throw e;
            }
        }
        // a repeated trigger retries a subscription that failed; it never subscribes twice
        boolean retried = database.write(sql -> conversations.triggeredAgain(sql, id));
        return new TrackOutcome(id, false, retried);
    }

    /** These conversations' topics are on this channel (one subscription batch). */
    public void subscribed(List<String> conversationIds, String channelId) {
        Instant now = clock.instant();
        database.commit(sql -> conversations.subscribed(sql, conversationIds, channelId, now));
    }

    /** Genesys could not be reached: the retry timer subscribes them later. */
    public void subscriptionPending(List<String> conversationIds, String why) {
        database.commit(sql -> conversations.resubscribe(sql, conversationIds, why));
    }

    /** Genesys refused (e.g. a missing permission): retrying cannot help; a new trigger does retry. */
    public void subscriptionFailed(List<String> conversationIds, String why) {
        database.commit(sql -> conversations.subscribeRefused(sql, conversationIds, why));
    }

    /** Stops tracking a conversation whose trigger was refused before anything happened to it. */
    public void forget(String conversationId) {
        database.commit(sql -> conversations.forget(sql, conversationId));
    }

    /** Conversations whose topic must be put on a channel again (Genesys was unreachable, or after a restart). */
    public List<String> pendingSubscriptions() {
        return database.read(conversations::pendingSubscriptions);
    }

    /**
     * Records an ACW event in the outbox, in the same transaction as the conversation's change. Only a conversation
     * with a row here is recorded: a record without its trigger context is of no use to history. A conversation that
     * is closed but not yet purged still counts as tracked: a late wrap-up (another agent's after a transfer, after
     * reconciliation closed it) is a real one, and its context is still here. A stored record comes back with its
     * context, so its first delivery reads nothing again.
     */
    public AcwReceipt acwReceived(String conversationId, String idempotencyKey, String envelope, String source) {
        return acwReceived(List.of(new AcwRecord(conversationId, idempotencyKey, envelope, source))).get(0);
    }

    /** {@link #acwReceived(String, String, String, String)} for each of several wrap-ups, in as few commits as fit. */
    public List<AcwReceipt> acwReceived(List<AcwRecord> records) {
        List<Sql.Work<String>> works = new ArrayList<>(records.size());
        for (AcwRecord r : records) {
            works.add(sql -> {
                Instant now = clock.instant();
                if (!conversations.wrapupStored(sql, r.conversationId(), now)) {
                    return null;
                }
                // a duplicate key fails here, and the unit of work (with the update above) is undone
                outbox.insert(sql, r.idempotencyKey(), r.conversationId(), r.json(), r.source(), now);
                return conversations.context(sql, r.conversationId());
            });
        }
        List<Object> results = database.writeEach(works);
        List<AcwReceipt> receipts = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            AcwRecord r = records.get(i);
            Object result = results.get(i);
            if (result instanceof StoreException e) {
                if (!e.isDuplicateKey()) {
                    throw e;
                }
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.DUPLICATE, r.conversationId(), r.source(), null));
            } else if (result == null) {
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.UNTRACKED, r.conversationId(), r.source(), null));
            } else {
                // the context is parsed here, not on the store writer: every write of the store waits for that thread
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.STORED, r.conversationId(), r.source(), new Outbox.Delivery(
                        r.idempotencyKey(), r.conversationId(), r.json(), r.source(), 0, ContextJson.read((String) result, r.conversationId()))));
            }
        }
        return receipts;
    }

    /**
     * Records reached history: each outbox row and its conversation's change, all in one transaction. Once none is
     * left to deliver a conversation is delivered; still open, its topic lingers (another agent may wrap up after a
     * transfer) and Genesys is asked at the end of the linger window.
     */
    public void delivered(List<Outbox.Delivery> records) {
        Instant now = clock.instant();
        database.commit(sql -> {
            for (Outbox.Delivery record : records) {
                outbox.markDelivered(sql, record.idempotencyKey(), now);
                conversations.delivered(sql, record.conversationId(), now, schedule.afterLinger(now));
            }
        });
    }

    public void deadLettered(String conversationId, String why) {
        database.commit(sql -> conversations.recordGaveUp(sql, conversationId, why));
    }

    /**
     * Tracing on: the W3C traceparent of the trigger's span, kept so that the conversation's deliveries (other
     * exchanges, maybe after a restart) join the trigger's trace. The first trigger's stays.
     */
    public void rememberTrace(String conversationId, String traceParent) {
        if (traceParent != null && traceParent.length() <= 100) {
            database.commit(sql -> conversations.rememberTrace(sql, conversationId, traceParent));
        }
    }

    /** The traceparent kept with the conversation's trigger, or null (tracing was off, or not tracked). */
    public String traceParent(String conversationId) {
        return database.read(sql -> conversations.traceParent(sql, conversationId));
    }

    /**
     * After a start: every conversation still open is subscribed again and reconciled (events published while the
     * gateway was down were lost by Genesys).
     *
     * @return the conversations to subscribe
     */
    public List<String> recover() {
        Instant now = clock.instant();
        database.commit(sql -> conversations.resubscribeAll(sql, "re-subscribing after a restart", schedule.afterGap(now), "restart",
                schedule.gapPassesAfterFirst()));
        return pendingSubscriptions();
    }

    /** Their topics now live on this channel (moved after a channel was lost). */
    public void onChannel(List<String> conversationIds, String channelId) {
        database.commit(sql -> conversations.onChannel(sql, conversationIds, channelId));
    }

    /**
     * A socket gap on their channel: ask Genesys about them soon, and again later for what analytics had not settled
     * yet ({@code reconcile.after-gap-seconds}). A conversation already due sooner keeps its time.
     */
    public void reconcileSoon(List<String> conversationIds, String reason) {
        Instant at = schedule.afterGap(clock.instant());
        database.commit(sql -> conversations.askSoon(sql, conversationIds, at, reason, schedule.gapPassesAfterFirst()));
    }

    /** Up to {@code limit} conversations due for reconciliation, each held for a while so it is asked once. */
    public List<String> dueForReconciliation(int limit) {
        Instant now = clock.instant();
        return database.write(sql -> conversations.claimDue(sql, now, now.plus(RECONCILE_LEASE), limit));
    }

    /**
     * What Genesys' analytics said about a batch of conversations (their missed wrap-ups are already in the outbox),
     * in one transaction: each closed for good (its topic is to be unsubscribed) or asked again later, as
     * {@link ReconcileSchedule#decide} says.
     *
     * @return the conversations closed now
     */
    public List<String> reconciled(List<AnalyticsFindings> batch) {
        return database.write(sql -> {
            List<String> closed = new ArrayList<>();
            for (AnalyticsFindings findings : batch) {
                String id = findings.conversationId();
                Instant now = clock.instant();
                ConversationRepository.Open open = conversations.open(sql, id);
                if (open == null) {
                    continue;
                }
                ReconcileSchedule.Verdict verdict = schedule.decide(findings, open.trackedAt(), open.gapPassesLeft(), now);
                if (verdict.closes()) {
                    conversations.close(sql, id, verdict.closeWith(), verdict.problem(), now);
                    closed.add(id);
                } else {
                    conversations.askAgain(sql, id, now, verdict.askAt(), verdict.reason(), verdict.gapPassesLeft());
                }
            }
            return closed;
        });
    }

    /** Deletes conversations closed more than {@code days} ago, and their delivered records. Dead letters stay. */
    public int purgeClosedOlderThan(int days) {
        Instant cutoff = clock.instant().minus(Duration.ofDays(days));
        return database.write(sql -> {
            outbox.purgeDeliveredOfClosedBefore(sql, cutoff);
            return conversations.purgeClosedBefore(sql, cutoff);
        });
    }

    /** The status document of one conversation (with its history records), or null when it is not known. */
    public Map<String, Object> describe(String conversationId) {
        return database.read(sql -> {
            Map<String, Object> out = conversations.describe(sql, conversationId);
            if (out != null) {
                out.put("context", ContextJson.read((String) out.get("context"), conversationId));
                out.put("historyRecords", outbox.describeConversation(sql, conversationId));
            }
            return out;
        });
    }

    /** The trigger's 202 answer. */
    public Map<String, Object> triggerAnswer(String conversationId, boolean newlyTracked) {
        Map<String, Object> out = new LinkedHashMap<>(describe(conversationId));
        out.put("newlyTracked", newlyTracked);
        out.put("message", newlyTracked ? "tracking started; the subscription follows within moments"
                : "already tracked: no second subscription");
        return out;
    }

    /**
     * The triggers the leader has not yet subscribed: how many, and how long the oldest has waited (seconds, 0 when
     * none). In cluster mode this is how far the leader lags behind the triggers the followers (and it) took.
     */
    public Map<String, Object> subscriptionLag() {
        Map<String, Object> last = lag;
        if (last != null && System.currentTimeMillis() - lagReadAt < 1000) {
            return last; // metrics read it twice per scrape
        }
        ConversationRepository.Unsubscribed waiting = database.read(conversations::unsubscribed);
        Instant oldest = waiting.oldestTrackedAt();
        long seconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds());
        lag = Map.of("waiting", waiting.count(), "oldestWaitingSeconds", seconds);
        lagReadAt = System.currentTimeMillis();
        return lag;
    }

    /** Conversations by state, at most a second old (metrics read it once per state). */
    public Map<String, Long> countsByState() {
        return counts.get();
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void setStaleAfterSeconds(long seconds) {
        schedule.setStaleAfterSeconds(seconds);
    }

    public void setLingerSeconds(long seconds) {
        schedule.setLingerSeconds(seconds);
    }

    /** Comma-separated seconds after a gap's end at which analytics is asked, ascending (e.g. {@code 3,60}). */
    public void setAfterGapSeconds(String seconds) {
        schedule.setAfterGapSeconds(seconds);
    }

    public void setRecheckSeconds(long seconds) {
        schedule.setRecheckSeconds(seconds);
    }

    public void setExpireAfterSeconds(long seconds) {
        schedule.setExpireAfterSeconds(seconds);
    }
}
