package io.genesysgateway.history;

import java.io.IOException;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.store.Database;
import org.apache.camel.http.base.HttpOperationFailedException;

import static io.genesysgateway.store.Database.exec;

/**
 * The history outbox (table {@code history_delivery}): every wrap-up is written here before it counts as received,
 * then delivered, retried with exponential back-off, or moved to the dead-letter state, from where it is replayed
 * (on request, and by default when history recovers). A record being attempted holds a lease
 * ({@code next_attempt_at} in the future) so it is sent by one consumer at a time; a crash releases it.
 */
public class Outbox {

    /** A record to deliver. */
    public record Delivery(String idempotencyKey, String conversationId, String envelope, String source, int attempts) {
    }

    /** What became of a failed attempt. */
    public enum Outcome {
        /** Another attempt follows after a back-off. */
        RETRY,
        /** Not attempted: the breaker is open; tried again when it may close. */
        DEFERRED,
        /** Given up: the record is a dead letter. */
        DEAD_LETTER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private Database database;
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = 10;
    private long backoffMillis = 1000;
    private long maxBackoffMillis = 300_000;
    private Duration maxAge = Duration.ofHours(1);
    private Duration lease = Duration.ofSeconds(60);
    private Duration breakerOpen = Duration.ofSeconds(30);
    /** Dead letters whose history was unavailable: the ones a recovery replays. -1 until counted. */
    private final AtomicLong unavailableDeadLetters = new AtomicLong(-1);
    private volatile Map<String, Long> cachedCounts;
    private volatile long countsAt;

    /**
     * Writes a new record, leased to the caller who delivers it next. A record with the same key breaks the primary
     * key (SQLState 23505): the caller's transaction treats that as "seen before".
     */
    public void insert(Connection c, String key, String conversationId, String envelope, String source, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into history_delivery (idempotency_key, conversation_id,"
                + " source, state, attempts, next_attempt_at, received_at, queued_at) values (?, ?, ?, 'pending', 0, ?, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, conversationId);
            ps.setString(3, source);
            ps.setObject(4, ts(now.plus(lease)));
            ps.setObject(5, ts(now));
            ps.setObject(6, ts(now));
            ps.executeUpdate();
        }
        exec(c, "insert into history_envelope (idempotency_key, envelope) values (?, ?)", key, envelope);
    }

    /** Up to {@code limit} records due for an attempt (after a back-off, a lost lease or a restart), leased. */
    public List<String> claimDue(int limit) {
        Instant now = clock.instant();
        return database.claim("select idempotency_key from history_delivery where state = 'pending' and next_attempt_at <= ?"
                + " order by next_attempt_at", "update history_delivery set next_attempt_at = ? where idempotency_key = ?",
                now, now.plus(lease), limit);
    }

    /** The record to attempt, or null when it is not pending any more (delivered meanwhile). */
    public Delivery load(String key) {
        return database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select d.conversation_id, e.envelope, d.source, d.attempts"
                    + " from history_delivery d join history_envelope e on e.idempotency_key = d.idempotency_key"
                    + " where d.idempotency_key = ? and d.state = 'pending'")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Delivery(key, rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)) : null;
                }
            }
        });
    }

    /** Marks a record delivered, inside the caller's transaction (with its conversation's change). */
    public void markDelivered(Connection c, String key, Instant now) throws SQLException {
        exec(c, "update history_delivery set state = 'delivered', delivered_at = ?, attempts = attempts + 1,"
                + " last_error = null, failure_kind = null where idempotency_key = ?", ts(now), key);
    }

    /** Records a failed attempt and decides what follows: a retry, a deferral (breaker open) or the dead-letter state. */
    public Outcome failed(String key, Throwable failure) {
        String kind = kindOf(failure);
        String error = describe(failure);
        return database.inTransaction(c -> {
            Instant now = clock.instant();
            int attempts;
            Instant queuedAt;
            try (PreparedStatement ps = c.prepareStatement("select attempts, queued_at from history_delivery"
                    + " where idempotency_key = ? and state = 'pending'")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.RETRY; // delivered or replayed meanwhile: nothing to record
                    }
                    attempts = rs.getInt(1);
                    queuedAt = database.instant(rs, 2);
                }
            }
            boolean attempted = !"breaker".equals(kind);
            int made = attempted ? attempts + 1 : attempts;
            boolean tooOld = queuedAt.plus(maxAge).isBefore(now);
            if ("rejected".equals(kind) || made >= maxAttempts || tooOld) {
                String why = "rejected".equals(kind) ? error
                        : tooOld ? error + " (undelivered for longer than " + maxAge.toMinutes() + " min)"
                        : error + " (after " + made + " attempts)";
                exec(c, "update history_delivery set state = 'dead_letter', attempts = ?, last_error = ?, failure_kind = ?"
                        + " where idempotency_key = ?", made, clip(why), "rejected".equals(kind) ? "rejected" : "unavailable", key);
                if (!"rejected".equals(kind)) {
                    unavailableDeadLetters.incrementAndGet();
                }
                return Outcome.DEAD_LETTER;
            }
            Instant next = attempted ? now.plusMillis(backoff(made)) : now.plus(breakerOpen);
            exec(c, "update history_delivery set attempts = ?, next_attempt_at = ?, last_error = ? where idempotency_key = ?",
                    made, ts(next), clip(error), key);
            return attempted ? Outcome.RETRY : Outcome.DEFERRED;
        });
    }

    /** The reason of the last failure of a record, for the log and the conversation. */
    public String lastError(String key) {
        return database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select last_error from history_delivery where idempotency_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Sends one dead letter again (from its first attempt); 0 when there is no such dead letter. */
    public int replay(String key) {
        return requeue("idempotency_key = ?", key);
    }

    /** Sends every dead letter again. */
    public int replayAll() {
        return requeue("1 = 1");
    }

    /** History answers again: the dead letters it was unavailable for are sent again. */
    public int replayAfterRecovery() {
        return requeue("failure_kind = 'unavailable'");
    }

    /** True while dead letters wait for history to come back. */
    public boolean hasUnavailableDeadLetters() {
        long known = unavailableDeadLetters.get();
        if (known < 0) {
            known = count("select count(*) from history_delivery where state = 'dead_letter' and failure_kind = 'unavailable'");
            unavailableDeadLetters.compareAndSet(-1, known);
        }
        return known > 0;
    }

    /**
     * With nothing else in flight to tell whether history is back, one dead letter (the oldest it was unavailable
     * for) is attempted again: a success replays the rest.
     */
    public String probe() {
        if (!hasUnavailableDeadLetters()
                || count("select count(*) from history_delivery where state = 'pending'") > 0) {
            return null;
        }
        return database.inTransaction(c -> {
            String key = null;
            try (PreparedStatement ps = c.prepareStatement("select idempotency_key from history_delivery where state = 'dead_letter'"
                    + " and failure_kind = 'unavailable' order by received_at")) {
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        key = rs.getString(1);
                    }
                }
            }
            if (key != null) {
                // one attempt only: a failure puts it straight back among the dead letters
                exec(c, "update history_delivery set state = 'pending', attempts = ?, next_attempt_at = ?, failure_kind = null"
                        + " where idempotency_key = ?", maxAttempts - 1, ts(clock.instant().plus(lease)), key);
                unavailableDeadLetters.decrementAndGet();
            }
            return key;
        });
    }

    /** At start: records leased by a process that is gone are due now. */
    public int releaseLeases() {
        return update("update history_delivery set next_attempt_at = ? where state = 'pending' and next_attempt_at > ?",
                ts(clock.instant()), ts(clock.instant()));
    }

    private int requeue(String where, Object... args) {
        Object[] all = new Object[args.length + 2];
        all[0] = ts(clock.instant());
        all[1] = all[0];
        System.arraycopy(args, 0, all, 2, args.length);
        int n = update("update history_delivery set state = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?,"
                + " failure_kind = null where state = 'dead_letter' and " + where, all);
        unavailableDeadLetters.set(-1);
        cachedCounts = null;
        return n;
    }

    // ------------------------------------------------------------------ reading

    /** Records by state (pending, delivered, dead_letter), at most a second old. */
    public Map<String, Long> counts() {
        Map<String, Long> cached = cachedCounts;
        if (cached != null && System.currentTimeMillis() - countsAt < 1000) {
            return cached;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("pending", 0L);
        out.put("delivered", 0L);
        out.put("dead_letter", 0L);
        database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from history_delivery group by state");
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

    public long deadLetterCount() {
        return counts().get("dead_letter");
    }

    public long pendingCount() {
        return counts().get("pending");
    }

    /** The dead letters, oldest first, without their bodies. */
    public List<Map<String, Object>> deadLetters(int limit) {
        return database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select idempotency_key, conversation_id, source, attempts,"
                    + " last_error, failure_kind, received_at from history_delivery where state = 'dead_letter'"
                    + " order by received_at")) {
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Map<String, Object>> out = new ArrayList<>();
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("idempotencyKey", rs.getString(1));
                        m.put("conversationId", rs.getString(2));
                        m.put("source", rs.getString(3));
                        m.put("attempts", rs.getInt(4));
                        m.put("reason", rs.getString(5));
                        m.put("replayedOnRecovery", "unavailable".equals(rs.getString(6)));
                        m.put("receivedAt", database.instant(rs, 7).toString());
                        out.add(m);
                    }
                    return out;
                }
            }
        });
    }

    /** The records of one conversation, for its status document. */
    public List<Map<String, Object>> describeConversation(Connection c, String conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select idempotency_key, source, state, attempts, last_error,"
                + " delivered_at from history_delivery where conversation_id = ? order by received_at")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("idempotencyKey", rs.getString(1));
                    m.put("source", rs.getString(2));
                    m.put("state", rs.getString(3));
                    m.put("attempts", rs.getInt(4));
                    if (rs.getString(5) != null) {
                        m.put("lastError", rs.getString(5));
                    }
                    Instant delivered = database.instant(rs, 6);
                    if (delivered != null) {
                        m.put("deliveredAt", delivered.toString());
                    }
                    out.add(m);
                }
                return out;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** unavailable (worth retrying), rejected (history refused this record; a retry would too) or breaker. */
    static String kindOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                int s = http.getStatusCode();
                return s >= 500 || s == 408 || s == 425 || s == 429 ? "unavailable" : "rejected";
            }
            if ("io.github.resilience4j.circuitbreaker.CallNotPermittedException".equals(t.getClass().getName())) {
                return "breaker";
            }
            if (t instanceof IOException) {
                return "unavailable";
            }
        }
        return "rejected";
    }

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                return "history answered HTTP " + http.getStatusCode();
            }
            if ("io.github.resilience4j.circuitbreaker.CallNotPermittedException".equals(t.getClass().getName())) {
                return "not sent: the history circuit breaker is open";
            }
            if (t instanceof IOException) {
                return "history unreachable (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
            }
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private long backoff(int attemptsMade) {
        long delay = Math.min(maxBackoffMillis, backoffMillis * (1L << Math.min(20, attemptsMade - 1)));
        // jitter: records that failed together do not all come back together
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    }

    private Object ts(Instant at) {
        return database.ts(at);
    }

    private int update(String sql, Object... args) {
        return database.inTransaction(c -> exec(c, sql, args));
    }

    private long count(String sql) {
        return database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    private static String clip(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public void setBackoffMillis(long backoffMillis) {
        this.backoffMillis = backoffMillis;
    }

    public void setMaxBackoffMillis(long maxBackoffMillis) {
        this.maxBackoffMillis = maxBackoffMillis;
    }

    public void setMaxAgeSeconds(long seconds) {
        this.maxAge = Duration.ofSeconds(seconds);
    }

    public void setLeaseSeconds(long seconds) {
        this.lease = Duration.ofSeconds(seconds);
    }

    public void setBreakerOpenSeconds(long seconds) {
        this.breakerOpen = Duration.ofSeconds(seconds);
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }
}
