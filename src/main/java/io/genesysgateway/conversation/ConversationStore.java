package io.genesysgateway.conversation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.genesysgateway.conversation.ConversationState.Event;
import io.genesysgateway.history.ContextJson;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.reconcile.AnalyticsFindings;
import io.genesysgateway.store.Database;
import io.genesysgateway.store.StoreException;

import static io.genesysgateway.store.Database.exec;

/**
 * The tracked conversations, in the store (table {@code tracked_conversation}): what the trigger said, where the
 * subscription is, what became of the wrap-ups, and when to ask Genesys' analytics next ({@code reconcile_at}).
 * The routes call it by method name; each call is one statement or one transaction.
 */
public class ConversationStore {

    /** The answer to a trigger: whether this call started tracking, and whether a subscription is needed. */
    public record TrackOutcome(String conversationId, boolean newlyTracked, boolean needsSubscription) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** No wrap-up yet: a subscription's problem is theirs to show. */
    private static final String BEFORE_WRAPUP = StateSql.in(ConversationState.BEFORE_WRAPUP);
    /** Per wrap-up and per delivery (the hot path): written once. */
    private static final String WRAPUP_STORED = "update tracked_conversation set acw_events = acw_events + 1, last_acw_at = ?,"
            + " state = " + StateSql.after(Event.WRAPUP_STORED) + " where conversation_id = ?";
    private static final String ALL_DELIVERED = "update tracked_conversation set delivered_at = ?, problem = null,"
            + " state = case when closed_at is null then " + StateSql.after(Event.ALL_DELIVERED)
            + " else " + StateSql.after(Event.ALL_DELIVERED_AFTER_CLOSE) + " end,"
            + " reconcile_at = case when closed_at is null then ? else reconcile_at end,"
            + " reconcile_reason = case when closed_at is null then 'linger after wrap-up' else reconcile_reason end"
            + " where conversation_id = ? and not exists (select 1 from history_delivery d"
            + " where d.conversation_id = ? and d.state <> 'delivered')";
    /** A reconciliation in flight holds its conversation this long; a crash mid-way retries after it. */
    private static final Duration RECONCILE_LEASE = Duration.ofMinutes(2);

    private Database database;
    private Outbox outbox;
    private Clock clock = Clock.systemUTC();
    private Duration staleAfter = Duration.ofMinutes(60);
    private Duration linger = Duration.ofMinutes(5);
    /** When to ask analytics after a socket gap or a restart, counted from the gap's end: soon, then again later. */
    private List<Duration> afterGap = List.of(Duration.ofSeconds(3), Duration.ofSeconds(60));
    private Duration recheck = Duration.ofMinutes(5);
    private Duration expireAfter = Duration.ofHours(48);
    private volatile Map<String, Long> cachedCounts;
    private volatile long countsAt;

    public TrackOutcome track(TriggerRequest request) {
        String id = request.conversationId();
        String context = json(request.context());
        Instant now = clock.instant();
        try {
            database.inTransaction(c -> exec(c, "insert into tracked_conversation (conversation_id, context, state,"
                    + " tracked_at, reconcile_at, reconcile_reason) values (?, ?, " + StateSql.literal(ConversationState.INITIAL)
                    + ", ?, ?, 'no wrap-up yet')",
                    id, context, ts(now), ts(now.plus(staleAfter))));
            return new TrackOutcome(id, true, true);
        } catch (StoreException e) {
            if (!e.isDuplicateKey()) {
                throw e;
            }
        }
        // a repeated trigger retries a subscription that failed; it never subscribes twice
        int retried = database.inTransaction(c -> exec(c, "update tracked_conversation set state = "
                + StateSql.after(Event.TRIGGERED_AGAIN) + ", resubscribe = false, problem = 'retrying after: ' || coalesce(problem, 'a failure')"
                + " where conversation_id = ? and state in " + StateSql.movedBy(Event.TRIGGERED_AGAIN), id));
        return new TrackOutcome(id, false, retried == 1);
    }

    /** These conversations' topics are on this channel (one subscription batch). */
    public void subscribed(List<String> conversationIds, String channelId) {
        batch(conversationIds, "update tracked_conversation set channel_id = ?, resubscribe = false,"
                + " problem = case when state in " + BEFORE_WRAPUP + " then null else problem end,"
                + " state = " + StateSql.after(Event.SUBSCRIBED) + ","
                + " subscribed_at = coalesce(subscribed_at, ?) where conversation_id = ? and closed_at is null",
                channelId, ts(clock.instant()));
    }

    /** Genesys could not be reached: the retry timer subscribes them later. */
    public void subscriptionPending(List<String> conversationIds, String why) {
        batch(conversationIds, "update tracked_conversation set channel_id = null, resubscribe = true,"
                + " problem = case when state in " + BEFORE_WRAPUP + " then ? else problem end,"
                + " state = " + StateSql.after(Event.RESUBSCRIBE)
                + " where conversation_id = ? and closed_at is null", why);
    }

    /** Genesys refused (e.g. a missing permission): retrying cannot help; a new trigger does retry. */
    public void subscriptionFailed(List<String> conversationIds, String why) {
        batch(conversationIds, "update tracked_conversation set channel_id = null, resubscribe = false,"
                + " problem = case when state in " + BEFORE_WRAPUP + " then ? else problem end,"
                + " state = " + StateSql.after(Event.SUBSCRIBE_REFUSED)
                + " where conversation_id = ? and closed_at is null", why);
    }

    /** Stops tracking a conversation whose trigger was refused before anything happened to it. */
    public void forget(String conversationId) {
        run("delete from tracked_conversation where conversation_id = ? and subscribed_at is null and acw_events = 0",
                conversationId);
    }

    /** Conversations whose topic must be put on a channel again (Genesys was unreachable, or after a restart). */
    public List<String> pendingSubscriptions() {
        return ids("select conversation_id from tracked_conversation where resubscribe and closed_at is null"
                + " order by tracked_at");
    }

    /** What became of an ACW event offered to the store. */
    public enum AcwOutcome {
        /** the first time this wrap-up is seen: in the outbox, to be delivered */
        STORED,
        /** the same wrap-up again (same Idempotency-Key): nothing changed */
        DUPLICATE,
        /** no such conversation in the store (never tracked, or closed and purged): nothing written */
        UNTRACKED
    }

    /** An ACW event offered to the store: what became of it and, when STORED, the record to deliver. */
    public record AcwReceipt(AcwOutcome outcome, Outbox.Delivery delivery) {
    }

    /**
     * Records an ACW event in the outbox, in the same transaction as the conversation's change. Only a conversation
     * with a row here is recorded: a record without its trigger context is of no use to history. A conversation that
     * is closed but not yet purged still counts as tracked: a late wrap-up (another agent's after a transfer, after
     * reconciliation closed it) is a real one, and its context is still here. A stored record comes back with its
     * context, so its first delivery reads nothing again.
     */
    public AcwReceipt acwReceived(String conversationId, String idempotencyKey, String envelope, String source) {
        try {
            return database.inTransaction(c -> {
                Instant now = clock.instant();
                int tracked = exec(c, WRAPUP_STORED, ts(now), conversationId);
                if (tracked == 0) {
                    return new AcwReceipt(AcwOutcome.UNTRACKED, null);
                }
                // a duplicate key fails here, and the transaction (with the update above) is rolled back
                outbox.insert(c, idempotencyKey, conversationId, envelope, source, now);
                String context;
                try (PreparedStatement ps = c.prepareStatement("select context from tracked_conversation where conversation_id = ?")) {
                    ps.setString(1, conversationId);
                    try (ResultSet rs = ps.executeQuery()) {
                        context = rs.next() ? rs.getString(1) : null;
                    }
                }
                return new AcwReceipt(AcwOutcome.STORED, new Outbox.Delivery(idempotencyKey, conversationId, envelope,
                        source, 0, ContextJson.read(context, conversationId)));
            });
        } catch (StoreException e) {
            if (e.isDuplicateKey()) {
                return new AcwReceipt(AcwOutcome.DUPLICATE, null);
            }
            throw e;
        }
    }

    /**
     * A record of this conversation reached history: the outbox row and the conversation change in one transaction.
     * Once none is left to deliver the conversation is delivered; still open, its topic lingers (another agent may
     * wrap up after a transfer) and Genesys is asked at the end of the linger window.
     */
    public void delivered(String conversationId, String idempotencyKey) {
        Instant now = clock.instant();
        database.inTransaction(c -> {
            outbox.markDelivered(c, idempotencyKey, now);
            return exec(c, ALL_DELIVERED, ts(now), ts(now.plus(linger)), conversationId, conversationId);
        });
    }

    public void deadLettered(String conversationId, String why) {
        run("update tracked_conversation set state = " + StateSql.after(Event.RECORD_GAVE_UP) + ", problem = ? where conversation_id = ?",
                why, conversationId);
    }

    // ------------------------------------------------------------------ restart and reconciliation

    /**
     * After a start: every conversation still open is subscribed again and reconciled (events published while the
     * gateway was down were lost by Genesys).
     *
     * @return the conversations to subscribe
     */
    public List<String> recover() {
        Instant now = clock.instant();
        run("update tracked_conversation set channel_id = null, resubscribe = true,"
                + " state = " + StateSql.after(Event.RESUBSCRIBE) + ","
                + " problem = case when state in " + BEFORE_WRAPUP + " then 're-subscribing after a restart' else problem end,"
                + " reconcile_at = ?, reconcile_reason = 'restart', gap_passes_left = ? where closed_at is null",
                ts(now.plus(afterGap.get(0))), afterGap.size() - 1);
        return pendingSubscriptions();
    }

    /** Their topics now live on this channel (moved after a channel was lost). */
    public void onChannel(List<String> conversationIds, String channelId) {
        batch(conversationIds, "update tracked_conversation set channel_id = ? where closed_at is null and conversation_id = ?",
                channelId);
    }

    /**
     * A socket gap on their channel: ask Genesys about them soon, and again later for what analytics had not settled
     * yet ({@code reconcile.after-gap-seconds}). A conversation already due sooner keeps its time.
     */
    public void reconcileSoon(List<String> conversationIds, String reason) {
        Object at = ts(clock.instant().plus(afterGap.get(0)));
        batch(conversationIds, "update tracked_conversation set gap_passes_left = ?,"
                + " reconcile_reason = case when reconcile_at is null or reconcile_at > ? then ? else reconcile_reason end,"
                + " reconcile_at = case when reconcile_at is null or reconcile_at > ? then ? else reconcile_at end"
                + " where closed_at is null and conversation_id = ?", afterGap.size() - 1, at, reason, at, at);
    }

    /** Up to {@code limit} conversations due for reconciliation, each held for a while so it is asked once. */
    public List<String> dueForReconciliation(int limit) {
        Instant now = clock.instant();
        return database.claim("select conversation_id from tracked_conversation where reconcile_at <= ? and closed_at is null"
                + " order by reconcile_at", "update tracked_conversation set reconcile_at = ? where conversation_id = ?",
                now, now.plus(RECONCILE_LEASE), limit);
    }

    /**
     * What Genesys' analytics said about a batch of conversations (their missed wrap-ups are already in the outbox),
     * in one transaction. Ended with every agent wrapped up or skipped: closed for good (its topic is to be
     * unsubscribed). Otherwise asked again later, until it expires.
     *
     * @return the conversations closed now
     */
    public List<String> reconciled(List<AnalyticsFindings> batch) {
        return database.inTransaction(c -> {
            List<String> closed = new ArrayList<>();
            for (AnalyticsFindings findings : batch) {
                if (reconciled(c, findings)) {
                    closed.add(findings.conversationId());
                }
            }
            return closed;
        });
    }

    private boolean reconciled(Connection c, AnalyticsFindings findings) throws SQLException {
        String id = findings.conversationId();
        Instant now = clock.instant();
        Instant trackedAt;
        int gapPassesLeft;
        try (PreparedStatement ps = c.prepareStatement("select tracked_at, gap_passes_left from tracked_conversation"
                + " where conversation_id = ? and closed_at is null")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                trackedAt = database.instant(rs, 1);
                gapPassesLeft = rs.getInt(2);
            }
        }
        String close = "update tracked_conversation set closed_at = ?, reconcile_at = null, reconciled_at = ?,"
                + " channel_id = null, resubscribe = false, ";
        if (findings.complete()) {
            // with records: completed once they are delivered; without: closed with the reason
            exec(c, close + "state = " + StateSql.after(Event.ENDED) + ", problem = case when state in "
                    + StateSql.movedTo(Event.ENDED, ConversationState.NO_WRAPUP) + " then ? else problem end where conversation_id = ?",
                    ts(now), ts(now), findings.whyNoWrapup(), id);
            return true;
        }
        if (trackedAt.plus(expireAfter).isBefore(now)) {
            exec(c, close + "state = " + StateSql.after(Event.TIMED_OUT) + ", problem = case when state in "
                    + StateSql.movedTo(Event.TIMED_OUT, ConversationState.EXPIRED) + " then ? else problem end where conversation_id = ?",
                    ts(now), ts(now), "tracking stopped: " + findings.waitingFor() + " after "
                            + expireAfter.toMinutes() + " min", id);
            return true;
        }
        if (gapPassesLeft > 0) {
            // after a gap: analytics may not show yet what happened in it, so it is asked again at the next pass
            int pass = afterGap.size() - gapPassesLeft;
            Duration wait = afterGap.get(pass).minus(afterGap.get(pass - 1));
            exec(c, "update tracked_conversation set reconciled_at = ?, reconcile_at = ?, reconcile_reason = ?,"
                    + " gap_passes_left = ? where conversation_id = ?", ts(now), ts(now.plus(wait)),
                    "after a gap, pass " + (pass + 1), gapPassesLeft - 1, id);
            return false;
        }
        exec(c, "update tracked_conversation set reconciled_at = ?, reconcile_at = ?, reconcile_reason = ?"
                + " where conversation_id = ?", ts(now), ts(now.plus(recheck)), findings.waitingFor(), id);
        return false;
    }

    /** Deletes conversations closed more than {@code days} ago, and their delivered records. Dead letters stay. */
    public int purgeClosedOlderThan(int days) {
        Instant cutoff = clock.instant().minus(Duration.ofDays(days));
        return database.inTransaction(c -> {
            String purged = "select idempotency_key from history_delivery where state = 'delivered' and conversation_id in"
                    + " (select conversation_id from tracked_conversation where closed_at < ?)";
            exec(c, "delete from history_envelope where idempotency_key in (" + purged + ")", ts(cutoff));
            exec(c, "delete from history_delivery where idempotency_key in (" + purged + ")", ts(cutoff));
            return exec(c, "delete from tracked_conversation where closed_at < ? and not exists (select 1 from"
                    + " history_delivery d where d.conversation_id = tracked_conversation.conversation_id)", ts(cutoff));
        });
    }

    // ------------------------------------------------------------------ reading

    /** The status document of one conversation (with its history records), or null when it is not known. */
    public Map<String, Object> describe(String conversationId) {
        return database.withConnection(c -> {
            Map<String, Object> out;
            try (PreparedStatement ps = c.prepareStatement("select * from tracked_conversation where conversation_id = ?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    out = new LinkedHashMap<>();
                    out.put("conversationId", rs.getString("conversation_id"));
                    out.put("state", rs.getString("state"));
                    out.put("context", JSON.readValue(rs.getString("context"), Map.class));
                    out.put("trackedAt", text(rs, "tracked_at"));
                    putIfSet(out, "channelId", rs.getString("channel_id"));
                    putIfSet(out, "subscribedAt", text(rs, "subscribed_at"));
                    putIfSet(out, "acwReceivedAt", text(rs, "last_acw_at"));
                    putIfSet(out, "deliveredAt", text(rs, "delivered_at"));
                    putIfSet(out, "reconciledAt", text(rs, "reconciled_at"));
                    putIfSet(out, "nextReconciliationAt", text(rs, "reconcile_at"));
                    putIfSet(out, "nextReconciliationReason", rs.getString("reconcile_at") == null ? null : rs.getString("reconcile_reason"));
                    putIfSet(out, "closedAt", text(rs, "closed_at"));
                    out.put("acwEvents", rs.getInt("acw_events"));
                    putIfSet(out, "problem", rs.getString("problem"));
                } catch (java.io.IOException e) {
                    throw new StoreException("context of " + conversationId + " is not JSON: " + e.getMessage());
                }
            }
            out.put("historyRecords", outbox.describeConversation(c, conversationId));
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

    /** Conversations by state, at most a second old (metrics read it once per state). */
    public Map<String, Long> countsByState() {
        Map<String, Long> cached = cachedCounts;
        if (cached != null && System.currentTimeMillis() - countsAt < 1000) {
            return cached;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (ConversationState s : ConversationState.values()) {
            out.put(s.label(), 0L);
        }
        database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from tracked_conversation group by state");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return null;
        });
        cachedCounts = out;
        countsAt = System.currentTimeMillis();
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private void run(String sql, Object... args) {
        database.inTransaction(c -> exec(c, sql, args));
    }

    /** Runs sql once per conversation id (its last parameter), the other parameters first, in one transaction. */
    private void batch(List<String> conversationIds, String sql, Object... args) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (String id : conversationIds) {
                    for (int i = 0; i < args.length; i++) {
                        ps.setObject(i + 1, args[i]);
                    }
                    ps.setString(args.length + 1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private List<String> ids(String sql) {
        return database.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    private String text(ResultSet rs, String column) throws SQLException {
        Instant t = database.instant(rs, column);
        return t == null ? null : t.toString();
    }

    private Object ts(Instant at) {
        return database.ts(at);
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }

    private static String json(Map<String, Object> context) {
        try {
            return JSON.writeValueAsString(context);
        } catch (Exception e) {
            throw new IllegalArgumentException("context is not JSON: " + e.getMessage(), e);
        }
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void setStaleAfterSeconds(long seconds) {
        this.staleAfter = Duration.ofSeconds(seconds);
    }

    public void setLingerSeconds(long seconds) {
        this.linger = Duration.ofSeconds(seconds);
    }

    /** Comma-separated seconds after a gap's end at which analytics is asked, ascending (e.g. {@code 3,60}). */
    public void setAfterGapSeconds(String seconds) {
        List<Duration> passes = java.util.Arrays.stream(seconds.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .map(t -> Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000))).sorted().toList();
        if (passes.isEmpty()) {
            throw new IllegalArgumentException("reconcile.after-gap-seconds needs at least one time, e.g. 3,60");
        }
        this.afterGap = passes;
    }

    public void setRecheckSeconds(long seconds) {
        this.recheck = Duration.ofSeconds(seconds);
    }

    public void setExpireAfterSeconds(long seconds) {
        this.expireAfter = Duration.ofSeconds(seconds);
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }
}
