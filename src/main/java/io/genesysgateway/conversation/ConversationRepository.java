package io.genesysgateway.conversation;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.genesysgateway.conversation.ConversationState.Event;
import io.genesysgateway.store.Row;
import io.genesysgateway.store.Sql;

/**
 * The table {@code tracked_conversation}: one row per conversation the gateway was told about. Each method is one
 * statement (or one batch) inside the caller's unit of work; the state column moves by {@link ConversationState}'s
 * rules. Callers decide what happens and when; this class only says it in SQL.
 */
public class ConversationRepository {

    /** The open conversation as reconciliation needs it. */
    public record Open(Instant trackedAt, int gapPassesLeft) {
    }

    /** No wrap-up yet: a subscription's problem is theirs to show. */
    private static final String BEFORE_WRAPUP = StateSql.in(ConversationState.BEFORE_WRAPUP);

    private static final String INSERT = "insert into tracked_conversation (conversation_id, context, state,"
            + " tracked_at, reconcile_at, reconcile_reason, genesys_client) values (?, ?, "
            + StateSql.literal(ConversationState.INITIAL) + ", ?, ?, ?, ?)";
    private static final String TRIGGERED_AGAIN = "update tracked_conversation set state = " + StateSql.after(Event.TRIGGERED_AGAIN)
            + ", resubscribe = false, problem = 'retrying after: ' || coalesce(problem, 'a failure')"
            + " where conversation_id = ? and state in " + StateSql.movedBy(Event.TRIGGERED_AGAIN);
    private static final String SUBSCRIBED = "update tracked_conversation set channel_id = ?, resubscribe = false,"
            + " problem = case when state in " + BEFORE_WRAPUP + " then null else problem end,"
            + " state = " + StateSql.after(Event.SUBSCRIBED) + ","
            + " subscribed_at = coalesce(subscribed_at, ?) where conversation_id = ? and closed_at is null";
    private static final String RESUBSCRIBE = "update tracked_conversation set channel_id = null, resubscribe = true,"
            + " problem = case when state in " + BEFORE_WRAPUP + " then ? else problem end,"
            + " state = " + StateSql.after(Event.RESUBSCRIBE) + " where conversation_id = ? and closed_at is null";
    private static final String SUBSCRIBE_REFUSED = "update tracked_conversation set channel_id = null, resubscribe = false,"
            + " problem = case when state in " + BEFORE_WRAPUP + " then ? else problem end,"
            + " state = " + StateSql.after(Event.SUBSCRIBE_REFUSED) + " where conversation_id = ? and closed_at is null";
    private static final String WRAPUP_STORED = "update tracked_conversation set acw_events = acw_events + 1, last_acw_at = ?,"
            + " state = " + StateSql.after(Event.WRAPUP_STORED) + " where conversation_id = ?";
    private static final String ALL_DELIVERED = "update tracked_conversation set delivered_at = ?, problem = null,"
            + " state = case when closed_at is null then " + StateSql.after(Event.ALL_DELIVERED)
            + " else " + StateSql.after(Event.ALL_DELIVERED_AFTER_CLOSE) + " end,"
            + " reconcile_at = case when closed_at is null then ? else reconcile_at end,"
            + " reconcile_reason = case when closed_at is null then 'linger after wrap-up' else reconcile_reason end"
            + " where conversation_id = ? and not exists (select 1 from history_delivery d"
            + " where d.conversation_id = ? and d.state <> 'delivered')";
    private static final String RECORD_GAVE_UP = "update tracked_conversation set state = " + StateSql.after(Event.RECORD_GAVE_UP)
            + ", problem = ? where conversation_id = ?";
    private static final String RESUBSCRIBE_ALL = "update tracked_conversation set channel_id = null, resubscribe = true,"
            + " state = " + StateSql.after(Event.RESUBSCRIBE) + ","
            + " problem = case when state in " + BEFORE_WRAPUP + " then ? else problem end,"
            + " reconcile_at = ?, reconcile_reason = ?, gap_passes_left = ? where closed_at is null and genesys_client = ?";
    private static final String CLOSE = "update tracked_conversation set closed_at = ?, reconcile_at = null, reconciled_at = ?,"
            + " channel_id = null, resubscribe = false, state = %s, problem = case when state in %s then ? else problem end"
            + " where conversation_id = ?";
    private static final String CLOSE_ENDED = String.format(CLOSE, StateSql.after(Event.ENDED),
            StateSql.movedTo(Event.ENDED, ConversationState.NO_WRAPUP));
    private static final String CLOSE_TIMED_OUT = String.format(CLOSE, StateSql.after(Event.TIMED_OUT),
            StateSql.movedTo(Event.TIMED_OUT, ConversationState.EXPIRED));

    /** A new conversation, given to the OAuth client {@code client} (whose channels are to carry its topic). */
    public void insert(Sql sql, String id, String context, Instant now, Instant askAt, String reason, String client)
            throws SQLException {
        sql.update(INSERT, id, context, now, askAt, reason, client);
    }

    /**
     * The open conversations of no client, or (with {@code everyOther}: this instance is alone) of any other client,
     * become {@code client}'s: those from before clients were recorded, or of the OAuth client used before a change
     * of GENESYS_CLIENT_ID. How many moved.
     */
    public int adopt(Sql sql, String client, boolean everyOther) throws SQLException {
        return everyOther
                ? sql.update("update tracked_conversation set genesys_client = ? where closed_at is null"
                        + " and (genesys_client is null or genesys_client <> ?)", client, client)
                : sql.update("update tracked_conversation set genesys_client = ? where closed_at is null"
                        + " and genesys_client is null", client);
    }

    /** The OAuth client of a tracked conversation ("" tracked before clients were recorded), or null: not tracked. */
    public String clientOf(Sql sql, String id) throws SQLException {
        return sql.first("select coalesce(genesys_client, '') from tracked_conversation where conversation_id = ?",
                row -> row.text(1), id);
    }

    /** Open conversations that hold or will hold room on a channel, by client (those Genesys refused do not). */
    public Map<String, Long> openByClient(Sql sql) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        sql.list("select genesys_client, count(*) from tracked_conversation where closed_at is null and state <> "
                + StateSql.literal(ConversationState.FAILED) + " and genesys_client is not null group by genesys_client",
                0, row -> out.put(row.text(1), row.number(2)));
        return out;
    }

    /** A repeated trigger: a subscription that failed is tried again. True when it had failed. */
    public boolean triggeredAgain(Sql sql, String id) throws SQLException {
        return sql.update(TRIGGERED_AGAIN, id) == 1;
    }

    public void subscribed(Sql sql, Collection<String> ids, String channelId, Instant now) throws SQLException {
        sql.updateEach(SUBSCRIBED, ids, channelId, now);
    }

    /** Their topics must be put on a channel (again), for this reason. */
    public void resubscribe(Sql sql, Collection<String> ids, String why) throws SQLException {
        sql.updateEach(RESUBSCRIBE, ids, why);
    }

    public void subscribeRefused(Sql sql, Collection<String> ids, String why) throws SQLException {
        sql.updateEach(SUBSCRIBE_REFUSED, ids, why);
    }

    /** Deletes a conversation nothing happened to yet; a subscribed one or one with a wrap-up stays. */
    public void forget(Sql sql, String id) throws SQLException {
        sql.update("delete from tracked_conversation where conversation_id = ? and subscribed_at is null and acw_events = 0", id);
    }

    /** The client's conversations whose topic must be put on a channel (again), oldest first. */
    public List<String> pendingSubscriptions(Sql sql, String client) throws SQLException {
        return sql.list("select conversation_id from tracked_conversation where resubscribe and closed_at is null"
                + " and genesys_client = ? order by tracked_at", 0, row -> row.text(1), client);
    }

    /** Triggers stored whose topic was never yet on a channel, oldest first (the count {@link #unsubscribed} gives). */
    public List<String> neverSubscribed(Sql sql, String client) throws SQLException {
        return sql.list("select conversation_id from tracked_conversation where state = "
                + StateSql.literal(ConversationState.PENDING) + " and subscribed_at is null and closed_at is null"
                + " and genesys_client = ? order by tracked_at", 0, row -> row.text(1), client);
    }

    /** Triggers not yet subscribed: how many, and the oldest one's time (null when none). */
    public record Unsubscribed(long count, Instant oldestTrackedAt) {
    }

    /** Triggers stored whose topic was never yet on a channel (a follower's wait for the leader, or Genesys down). */
    public Unsubscribed unsubscribed(Sql sql) throws SQLException {
        return sql.first("select count(*), min(tracked_at) from tracked_conversation where state = "
                + StateSql.literal(ConversationState.PENDING) + " and subscribed_at is null and closed_at is null",
                row -> new Unsubscribed(row.number(1), row.instant(2)));
    }

    /** A wrap-up of each was stored (one batch; a conversation named twice had two). */
    public void wrapupsStored(Sql sql, List<String> ids, Instant now) throws SQLException {
        sql.updateEach(WRAPUP_STORED, ids, now);
    }

    /** The trigger contexts (JSON) of those of the conversations that are tracked, by conversation id. */
    public Map<String, String> contexts(Sql sql, Collection<String> ids) throws SQLException {
        Map<String, String> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        sql.list("select conversation_id, context from tracked_conversation where conversation_id in ("
                + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")", 0,
                row -> out.put(row.text(1), row.text(2)), ids.toArray());
        return out;
    }

    /** Keeps the trigger's traceparent; the first one stays. */
    public void rememberTrace(Sql sql, String id, String traceParent) throws SQLException {
        sql.update("update tracked_conversation set trace_parent = ? where conversation_id = ? and trace_parent is null",
                traceParent, id);
    }

    public String traceParent(Sql sql, String id) throws SQLException {
        return sql.first("select trace_parent from tracked_conversation where conversation_id = ?", row -> row.text(1), id);
    }

    /** A record was delivered: once none is left undelivered, so is the conversation (asked again at askAt if open). */
    /** Each conversation whose records are all delivered now moves on (one batch). */
    public void delivered(Sql sql, Collection<String> ids, Instant now, Instant askAt) throws SQLException {
        List<Object[]> rows = new ArrayList<>(ids.size());
        for (String id : ids) {
            rows.add(new Object[] {now, askAt, id, id});
        }
        sql.batch(ALL_DELIVERED, rows);
    }

    public void recordGaveUp(Sql sql, String id, String why) throws SQLException {
        sql.update(RECORD_GAVE_UP, why, id);
    }

    /** Every open conversation of the client is subscribed again and asked about at askAt (after a restart). */
    public void resubscribeAll(Sql sql, String why, Instant askAt, String reason, int gapPassesLeft, String client)
            throws SQLException {
        sql.update(RESUBSCRIBE_ALL, why, askAt, reason, gapPassesLeft, client);
    }

    public void onChannel(Sql sql, Collection<String> ids, String channelId) throws SQLException {
        sql.updateEach("update tracked_conversation set channel_id = ? where closed_at is null and conversation_id = ?",
                ids, channelId);
    }

    /** Asked at {@code at} with these gap passes to follow, unless it is due sooner already. */
    public void askSoon(Sql sql, Collection<String> ids, Instant at, String reason, int gapPassesLeft) throws SQLException {
        sql.updateEach("update tracked_conversation set gap_passes_left = ?,"
                + " reconcile_reason = case when reconcile_at is null or reconcile_at > ? then ? else reconcile_reason end,"
                + " reconcile_at = case when reconcile_at is null or reconcile_at > ? then ? else reconcile_at end"
                + " where closed_at is null and conversation_id = ?", ids, gapPassesLeft, at, reason, at, at);
    }

    /** Up to {@code limit} open conversations of the client due to be asked about, held until {@code until}. */
    public List<String> claimDue(Sql sql, String client, Instant now, Instant until, int limit) throws SQLException {
        return sql.claim("select conversation_id from tracked_conversation where reconcile_at <= ? and closed_at is null"
                + " and genesys_client = ? order by reconcile_at",
                "update tracked_conversation set reconcile_at = ? where conversation_id = ?", now, until, limit, client);
    }

    /** The open conversation, or null when it is closed or gone. */
    public Open open(Sql sql, String id) throws SQLException {
        return sql.first("select tracked_at, gap_passes_left from tracked_conversation where conversation_id = ?"
                + " and closed_at is null", row -> new Open(row.instant(1), row.integer(2)), id);
    }

    /** Closed for good by {@link Event#ENDED} or {@link Event#TIMED_OUT}; the problem shows when it had no wrap-up. */
    public void close(Sql sql, String id, Event event, String problem, Instant now) throws SQLException {
        String statement = switch (event) {
            case ENDED -> CLOSE_ENDED;
            case TIMED_OUT -> CLOSE_TIMED_OUT;
            default -> throw new IllegalArgumentException(event + " does not close a conversation");
        };
        sql.update(statement, now, now, problem, id);
    }

    public void askAgain(Sql sql, String id, Instant now, Instant at, String reason, int gapPassesLeft) throws SQLException {
        sql.update("update tracked_conversation set reconciled_at = ?, reconcile_at = ?, reconcile_reason = ?,"
                + " gap_passes_left = ? where conversation_id = ?", now, at, reason, gapPassesLeft, id);
    }

    /** Deletes conversations closed before the cutoff that have no record left. */
    public int purgeClosedBefore(Sql sql, Instant cutoff) throws SQLException {
        return sql.update("delete from tracked_conversation where closed_at < ? and not exists (select 1 from"
                + " history_delivery d where d.conversation_id = tracked_conversation.conversation_id)", cutoff);
    }

    /** The row for the status document (context still JSON text), or null. */
    public Map<String, Object> describe(Sql sql, String id) throws SQLException {
        return sql.first("select * from tracked_conversation where conversation_id = ?", ConversationRepository::status, id);
    }

    public Map<String, Long> countsByState(Sql sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        sql.list("select state, count(*) from tracked_conversation group by state", 0,
                row -> out.put(row.text(1), row.number(2)));
        return out;
    }

    private static Map<String, Object> status(Row row) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversationId", row.text("conversation_id"));
        out.put("state", row.text("state"));
        out.put("context", row.text("context"));
        out.put("trackedAt", text(row.instant("tracked_at")));
        putIfSet(out, "genesysClient", row.text("genesys_client"));
        putIfSet(out, "channelId", row.text("channel_id"));
        putIfSet(out, "subscribedAt", text(row.instant("subscribed_at")));
        putIfSet(out, "acwReceivedAt", text(row.instant("last_acw_at")));
        putIfSet(out, "deliveredAt", text(row.instant("delivered_at")));
        putIfSet(out, "reconciledAt", text(row.instant("reconciled_at")));
        Instant askAt = row.instant("reconcile_at");
        putIfSet(out, "nextReconciliationAt", text(askAt));
        putIfSet(out, "nextReconciliationReason", askAt == null ? null : row.text("reconcile_reason"));
        putIfSet(out, "closedAt", text(row.instant("closed_at")));
        out.put("acwEvents", row.integer("acw_events"));
        putIfSet(out, "problem", row.text("problem"));
        return out;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
