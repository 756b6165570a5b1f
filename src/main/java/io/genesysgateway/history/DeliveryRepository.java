package io.genesysgateway.history;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.genesysgateway.store.Sql;

/**
 * The table {@code history_delivery}: one row per wrap-up, keyed by its Idempotency-Key, with where its delivery
 * stands (pending, delivered, dead_letter), its attempts, and {@code next_attempt_at} (also the lease of an attempt
 * in flight). Each method is one statement (or one claim) inside the caller's unit of work; {@link Outbox} decides.
 */
public class DeliveryRepository {

    /** An attempt's record as the retry decision needs it. */
    record Attempt(int attempts, Instant queuedAt, String lastError) {
    }

    /** The keys of delivered records of conversations closed before a time (its one parameter). */
    static final String DELIVERED_OF_CLOSED = "select idempotency_key from history_delivery where state = 'delivered'"
            + " and conversation_id in (select conversation_id from tracked_conversation where closed_at < ?)";

    private static final String INSERT = "insert into history_delivery (idempotency_key, conversation_id, source, state,"
            + " attempts, next_attempt_at, received_at, queued_at) values (?, ?, ?, 'pending', 0, ?, ?, ?)";
    /** Claiming a record: leased, and no longer waiting (a recovery does not make it due a second time). */
    private static final String LEASE = "update history_delivery set next_attempt_at = ?, failure_kind = null"
            + " where idempotency_key = ?";
    private static final String LOAD = "select d.conversation_id, e.envelope, d.source, d.attempts, t.context"
            + " from history_delivery d join history_envelope e on e.idempotency_key = d.idempotency_key"
            + " left join tracked_conversation t on t.conversation_id = d.conversation_id"
            + " where d.idempotency_key = ? and d.state = 'pending'";
    private static final String DELIVERED = "update history_delivery set state = 'delivered', delivered_at = ?,"
            + " attempts = attempts + 1, last_error = null, failure_kind = null where idempotency_key = ?";

    /**
     * New records, pending, leased until {@code leaseUntil}, in one batch; a key already there is left as it is.
     * Returns, for each, whether it was new.
     */
    boolean[] insertNew(Sql sql, List<Outbox.NewRecord> records, Instant now, Instant leaseUntil) throws SQLException {
        List<Object[]> rows = new ArrayList<>(records.size());
        for (Outbox.NewRecord r : records) {
            rows.add(new Object[] {r.key(), r.conversationId(), r.source(), leaseUntil, now, now});
        }
        int[] changed = sql.batch(INSERT + " on conflict (idempotency_key) do nothing", rows);
        boolean[] inserted = new boolean[changed.length];
        for (int i = 0; i < changed.length; i++) {
            if (changed[i] == Statement.SUCCESS_NO_INFO) {
                throw new SQLException("the store did not say which wrap-ups were new (a batch without row counts)");
            }
            inserted[i] = changed[i] == 1;
        }
        return inserted;
    }

    /** These records reached history, in one batch. */
    void markDelivered(Sql sql, List<String> keys, Instant now) throws SQLException {
        sql.updateEach(DELIVERED, keys, now);
    }

    /** Up to {@code limit} pending records due now, leased until {@code until}. */
    List<String> claimDue(Sql sql, Instant now, Instant until, int limit) throws SQLException {
        return sql.claim("select idempotency_key from history_delivery where state = 'pending' and next_attempt_at <= ?"
                + " order by next_attempt_at", LEASE, now, until, limit);
    }

    /** The pending record whose turn came first, waiting after a failure or due, leased; empty when none. */
    List<String> claimFirstWaiting(Sql sql, Instant now, Instant until) throws SQLException {
        return sql.claim("select idempotency_key from history_delivery where state = 'pending'"
                + " and (failure_kind is not null or next_attempt_at <= ?) order by next_attempt_at", LEASE, now, until, 1);
    }

    long pendingCount(Sql sql) throws SQLException {
        return sql.count("select count(*) from history_delivery where state = 'pending'");
    }

    /** Every record waiting out a back-off or the breaker (none in flight) is due now. */
    int resumeWaiting(Sql sql, Instant now) throws SQLException {
        return sql.update("update history_delivery set next_attempt_at = ? where state = 'pending' and failure_kind is not null", now);
    }

    /** Up to {@code limit} records waiting after a failure that were queued before the time, oldest first. */
    List<Outbox.Expired> waitingSince(Sql sql, Instant queuedBefore, int limit) throws SQLException {
        return sql.list("select idempotency_key, conversation_id, last_error from history_delivery where state = 'pending'"
                + " and failure_kind is not null and queued_at < ? order by queued_at", limit,
                row -> new Outbox.Expired(row.text(1), row.text(2), row.text(3)), queuedBefore);
    }

    /** The record to attempt with its envelope and its conversation's context; null when it is not pending. */
    Outbox.Delivery load(Sql sql, String key) throws SQLException {
        return sql.first(LOAD, row -> new Outbox.Delivery(key, row.text(1), row.text(2), row.text(3), row.integer(4),
                ContextJson.read(row.text(5), row.text(1))), key);
    }

    /** The pending record's attempts so far, or null when it is not pending (delivered or replayed meanwhile). */
    Attempt attempt(Sql sql, String key) throws SQLException {
        return sql.first("select attempts, queued_at, last_error from history_delivery where idempotency_key = ?"
                + " and state = 'pending'", row -> new Attempt(row.integer(1), row.instant(2), row.text(3)), key);
    }

    /** Given up: a dead letter, with its reason and kind ({@code rejected} or {@code unavailable}). */
    void deadLetter(Sql sql, String key, int attempts, String error, String kind) throws SQLException {
        sql.update("update history_delivery set state = 'dead_letter', attempts = ?, last_error = ?, failure_kind = ?"
                + " where idempotency_key = ?", attempts, error, kind, key);
    }

    /** Given up without another attempt (waited too long while history was unavailable). */
    void deadLetterUnattempted(Sql sql, String key, String error) throws SQLException {
        sql.update("update history_delivery set state = 'dead_letter', failure_kind = 'unavailable', last_error = ?"
                + " where idempotency_key = ?", error, key);
    }

    /** Tried again at {@code next}; waiting with the kind of its failure. */
    void retryAt(Sql sql, String key, int attempts, Instant next, String error, String kind) throws SQLException {
        sql.update("update history_delivery set attempts = ?, next_attempt_at = ?, last_error = ?, failure_kind = ?"
                + " where idempotency_key = ?", attempts, next, error, kind, key);
    }

    String lastError(Sql sql, String key) throws SQLException {
        return sql.first("select last_error from history_delivery where idempotency_key = ?", row -> row.text(1), key);
    }

    /** Dead letters pending again from their first attempt, due now: {@code where} picks them (its parameters follow). */
    int requeue(Sql sql, Instant now, String where, Object... args) throws SQLException {
        Object[] all = new Object[args.length + 2];
        all[0] = now;
        all[1] = now;
        System.arraycopy(args, 0, all, 2, args.length);
        return sql.update("update history_delivery set state = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?,"
                + " failure_kind = null where state = 'dead_letter' and " + where, all);
    }

    long unavailableDeadLetters(Sql sql) throws SQLException {
        return sql.count("select count(*) from history_delivery where state = 'dead_letter' and failure_kind = 'unavailable'");
    }

    /** The oldest dead letter history was unavailable for, or null. */
    String oldestUnavailableDeadLetter(Sql sql) throws SQLException {
        return sql.first("select idempotency_key from history_delivery where state = 'dead_letter'"
                + " and failure_kind = 'unavailable' order by received_at", row -> row.text(1));
    }

    /** A dead letter pending again for one attempt, its age kept, leased until {@code until}. */
    void reopen(Sql sql, String key, Instant until) throws SQLException {
        sql.update("update history_delivery set state = 'pending', next_attempt_at = ?, failure_kind = null"
                + " where idempotency_key = ?", until, key);
    }

    /**
     * Records leased by a process that is gone are due now: those whose lease runs out before {@code before} (a lease
     * taken since this process started ends later, and its record is in flight here).
     */
    int releaseLeases(Sql sql, Instant now, Instant before) throws SQLException {
        return sql.update("update history_delivery set next_attempt_at = ? where state = 'pending' and next_attempt_at > ?"
                + " and next_attempt_at < ?", now, now, before);
    }

    Map<String, Long> countsByState(Sql sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        sql.list("select state, count(*) from history_delivery group by state", 0, row -> out.put(row.text(1), row.number(2)));
        return out;
    }

    /** The dead letters, oldest first, without their bodies. */
    List<Map<String, Object>> deadLetters(Sql sql, int limit) throws SQLException {
        return sql.list("select idempotency_key, conversation_id, source, attempts, last_error, failure_kind, received_at"
                + " from history_delivery where state = 'dead_letter' order by received_at", limit, row -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("idempotencyKey", row.text(1));
                    m.put("conversationId", row.text(2));
                    m.put("source", row.text(3));
                    m.put("attempts", row.integer(4));
                    m.put("reason", row.text(5));
                    m.put("replayedOnRecovery", DeliveryFailure.UNAVAILABLE.equals(row.text(6)));
                    m.put("receivedAt", row.instant(7).toString());
                    return m;
                });
    }

    /** The records of one conversation, for its status document. */
    List<Map<String, Object>> ofConversation(Sql sql, String conversationId) throws SQLException {
        return sql.list("select idempotency_key, source, state, attempts, last_error, delivered_at from history_delivery"
                + " where conversation_id = ? order by received_at", 0, row -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("idempotencyKey", row.text(1));
                    m.put("source", row.text(2));
                    m.put("state", row.text(3));
                    m.put("attempts", row.integer(4));
                    if (row.text(5) != null) {
                        m.put("lastError", row.text(5));
                    }
                    Instant delivered = row.instant(6);
                    if (delivered != null) {
                        m.put("deliveredAt", delivered.toString());
                    }
                    return m;
                }, conversationId);
    }

    /** Deletes the delivered records of conversations closed before the cutoff (their envelopes first). */
    int purgeDeliveredOfClosedBefore(Sql sql, Instant cutoff) throws SQLException {
        return sql.update("delete from history_delivery where idempotency_key in (" + DELIVERED_OF_CLOSED + ")", cutoff);
    }
}
