package io.genesysgateway.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.genesysgateway.channel.ChannelCapacityException;
import io.genesysgateway.history.ContextJson;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.reconcile.ReconcileSchedule;
import io.genesysgateway.store.Database;
import io.genesysgateway.store.StoreException;

/**
 * The tracked conversations as the routes use them: each call is one unit of work in the store, over the
 * conversation's row ({@link ConversationRepository}) and, where a wrap-up is concerned, its records in the outbox,
 * so that both change together or not at all. When Genesys is asked next is {@link ReconcileSchedule}'s decision;
 * which conversations reconciliation takes, and what it concluded, are {@code ReconcileQueue}'s.
 */
public class ConversationStore {

    /**
     * The answer to a trigger: whether this call started tracking, whether a subscription is needed, and the OAuth
     * client whose channels carry the conversation (null for one tracked before clients were recorded).
     */
    public record TrackOutcome(String conversationId, boolean newlyTracked, boolean needsSubscription, String client) {
    }

    private final ConversationRepository conversations = new ConversationRepository();
    private ReconcileSchedule schedule = new ReconcileSchedule();
    private Database database;
    private Outbox outbox;
    /** The OAuth client this instance drives when it leads: the subscriptions and recovery here are of its conversations. */
    private String client = "";
    private final Clock clock = Clock.systemUTC();

    /**
     * Starts tracking the conversation on the OAuth client {@code client} (the one with room, see
     * {@code GenesysClients}); a conversation tracked already stays on its own.
     *
     * @param client null when every client is full: a repeated trigger is still answered, a new one is refused
     * @throws ChannelCapacityException a new conversation, and no client has room
     */
    public TrackOutcome track(TriggerRequest request, String client) {
        String id = request.conversationId();
        if (client != null) {
            String context = ContextJson.write(request.context());
            Instant now = clock.instant();
            try {
                database.commit(sql -> conversations.insert(sql, id, context, now, schedule.firstAsk(now), "no wrap-up yet", client));
                return new TrackOutcome(id, true, true, client);
            } catch (StoreException e) {
                if (!e.isDuplicateKey()) {
                    throw e;
                }
            }
        }
        // a repeated trigger retries a subscription that failed; it never subscribes twice
        TrackOutcome again = database.write(sql -> {
            String own = conversations.clientOf(sql, id);
            return own == null ? null : new TrackOutcome(id, false, conversations.triggeredAgain(sql, id), own.isEmpty() ? null : own);
        });
        if (again == null) {
            throw new ChannelCapacityException("every OAuth client's channels are full");
        }
        return again;
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

    /** Triggers stored whose topic was never yet on a channel (a follower's, or one Genesys was down for). */
    public List<String> neverSubscribed() {
        return database.read(sql -> conversations.neverSubscribed(sql, client));
    }

    /** Conversations whose topic must be put on a channel again (Genesys was unreachable, or after a restart). */
    public List<String> pendingSubscriptions() {
        return database.read(sql -> conversations.pendingSubscriptions(sql, client));
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

    /**
     * {@link #acwReceived(String, String, String, String)} for each of several wrap-ups, in one unit of work of a few
     * statements whatever their number (one batch each: the contexts read, the new records written, their
     * conversations moved on), so that a burst costs a few round trips to the store, not several per wrap-up.
     */
    public List<AcwReceipt> acwReceived(List<AcwRecord> records) {
        Instant now = clock.instant();
        Stored stored = database.write(sql -> {
            Map<String, String> contexts = conversations.contexts(sql,
                    records.stream().map(AcwRecord::conversationId).distinct().toList());
            List<Outbox.NewRecord> tracked = records.stream().filter(r -> contexts.containsKey(r.conversationId()))
                    .map(r -> new Outbox.NewRecord(r.idempotencyKey(), r.conversationId(), r.json(), r.source())).toList();
            boolean[] inserted = outbox.insertNew(sql, tracked, now);
            Set<String> newKeys = new HashSet<>();
            List<String> movedOn = new ArrayList<>();
            for (int i = 0; i < inserted.length; i++) {
                if (inserted[i]) {
                    newKeys.add(tracked.get(i).key());
                    movedOn.add(tracked.get(i).conversationId());
                }
            }
            conversations.wrapupsStored(sql, movedOn, now);
            return new Stored(contexts, newKeys);
        });
        List<AcwReceipt> receipts = new ArrayList<>(records.size());
        for (AcwRecord r : records) {
            String context = stored.contexts().get(r.conversationId());
            if (context == null) {
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.UNTRACKED, r.conversationId(), r.source(), null));
            } else if (!stored.newKeys().remove(r.idempotencyKey())) {
                // already in the outbox, or a second copy in this batch (the first is the one stored)
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.DUPLICATE, r.conversationId(), r.source(), null));
            } else {
                // the context is parsed here, not on the store writer: every write of the store waits for that thread
                receipts.add(new AcwReceipt(AcwReceipt.Outcome.STORED, r.conversationId(), r.source(), new Outbox.Delivery(
                        r.idempotencyKey(), r.conversationId(), r.json(), r.source(), 0, ContextJson.read(context, r.conversationId()))));
            }
        }
        return receipts;
    }

    /** What one batch of wrap-ups found: the tracked conversations' contexts, and the keys stored new. */
    private record Stored(Map<String, String> contexts, Set<String> newKeys) {
    }

    /**
     * Records reached history: their outbox rows and their conversations' change, all in one transaction of two
     * statements. Once none is left to deliver a conversation is delivered; still open, its topic lingers (another
     * agent may wrap up after a transfer) and Genesys is asked at the end of the linger window.
     */
    public void delivered(List<Outbox.Delivery> records) {
        Instant now = clock.instant();
        database.commit(sql -> {
            outbox.markDelivered(sql, records.stream().map(Outbox.Delivery::idempotencyKey).toList(), now);
            conversations.delivered(sql, records.stream().map(Outbox.Delivery::conversationId).distinct().toList(), now,
                    schedule.afterLinger(now));
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
     * After a start (and when this instance takes the lead): every conversation of this instance's OAuth client still
     * open is subscribed again and reconciled (events published while the gateway was down were lost by Genesys).
     * Open conversations of no client become this one's; alone, so do those of any other client (the OAuth client
     * changed: nobody else will ever subscribe them).
     *
     * @return the conversations to subscribe
     */
    public List<String> recover(boolean alone) {
        Instant now = clock.instant();
        database.commit(sql -> {
            conversations.adopt(sql, client, alone);
            conversations.resubscribeAll(sql, "re-subscribing after a restart", schedule.afterGap(now), "restart",
                    schedule.gapPassesAfterFirst(), client);
        });
        return pendingSubscriptions();
    }

    /** Their topics now live on this channel (moved after a channel was lost). */
    public void onChannel(List<String> conversationIds, String channelId) {
        database.commit(sql -> conversations.onChannel(sql, conversationIds, channelId));
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

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The OAuth client this instance drives ({@code genesys.client-id}). */
    public void setClient(String client) {
        this.client = client == null ? "" : client;
    }

    /** When Genesys is asked about a conversation (bean reconcileSchedule, shared with ReconcileQueue). */
    public void setSchedule(ReconcileSchedule schedule) {
        this.schedule = schedule;
    }
}
