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
 * then delivered, retried, or moved to the dead-letter state, from where it is replayed (on request, and by default
 * when history recovers). A record being attempted holds a lease ({@code next_attempt_at} in the future) so it is
 * sent by one consumer at a time; a crash releases it.
 * <p>
 * A pending record that waits after a failure carries the kind of that failure ({@code failure_kind}
 * {@code unavailable} or {@code breaker}) until it is claimed again: that tells a record waiting out a back-off,
 * which a recovery may send at once, from one in flight, which must not be sent twice. History unavailable
 * (5xx, 408, 429, no answer, breaker open) is retried until {@code history.max-age-seconds}; refused (another
 * 4xx) is a dead letter at once.
 */
public class Outbox {

    /** A record to deliver: the outbox row with what the history record is made from (the envelope, the context). */
    public record Delivery(String idempotencyKey, String conversationId, String envelope, String source, int attempts,
                           Map<String, Object> context) {
    }

    /** A record given up while it waited: older than the age limit. */
    public record Expired(String idempotencyKey, String conversationId, String problem) {
    }

    /** What became of a failed attempt. */
    public enum Outcome {
        /** Another attempt follows after a back-off. */
        RETRY,
        /** Not attempted: the breaker is open; tried again when it may close. */
        DEFERRED,
        /** Given up: the record is a dead letter. */
        DEAD_LETTER,
        /** A dead letter tried to see whether history is back: it is not, the record stays a dead letter. */
        PROBE_FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private Database database;
    private Clock clock = Clock.systemUTC();
    private long backoffMillis = 1000;
    private long maxBackoffMillis = 300_000;
    private Duration maxAge = Duration.ofHours(1);
    private Duration lease = Duration.ofSeconds(60);
    private Duration breakerOpen = Duration.ofSeconds(2);
    /** The probe in flight, if any: one at a time, so a history that hangs is not sent one per tick. */
    private volatile Probe inFlightProbe;
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
                + " order by next_attempt_at", LEASE, now, now.plus(lease), limit);
    }

    /** Claiming a record: leased, and no longer waiting (a recovery does not make it due a second time). */
    private static final String LEASE = "update history_delivery set next_attempt_at = ?, failure_kind = null"
            + " where idempotency_key = ?";

    /**
     * While history is down: the one record to try, or null. The pending record whose turn came first, whatever its
     * back-off says (a failed probe goes to the back of the line, so one record history chokes on does not hold up
     * the others); with none pending, the oldest dead letter history was unavailable for. Null while the previous
     * probe is unanswered.
     */
    public String probe(boolean replayDeadLetters) {
        Instant now = clock.instant();
        Probe last = inFlightProbe;
        if (last != null && now.isBefore(last.until())) {
            return null;
        }
        List<String> due = database.claim("select idempotency_key from history_delivery where state = 'pending'"
                + " and (failure_kind is not null or next_attempt_at <= ?) order by next_attempt_at", LEASE,
                now, now.plus(lease), 1);
        if (!due.isEmpty()) {
            inFlightProbe = new Probe(due.get(0), false, now.plus(lease));
            return due.get(0);
        }
        String letter = replayDeadLetters ? probeDeadLetter() : null;
        inFlightProbe = letter == null ? null : new Probe(letter, true, now.plus(lease));
        return letter;
    }

    /**
     * History may be back, with nothing pending to show it: after an outage longer than the age limit, or after a
     * restart with dead letters. Same as {@link #probe} for those dead letters, and never while records are pending
     * (their next attempt tells).
     */
    public String probeIfOnlyDeadLetters(boolean replayDeadLetters) {
        if (!replayDeadLetters || !hasUnavailableDeadLetters()
                || count("select count(*) from history_delivery where state = 'pending'") > 0) {
            return null;
        }
        return probe(true);
    }

    /** History answers again: every record waiting out a back-off or the breaker (none in flight) is due now. */
    public int resumeWaiting() {
        return update("update history_delivery set next_attempt_at = ? where state = 'pending' and failure_kind is not null",
                ts(clock.instant()));
    }

    /**
     * Records that waited for history longer than the age limit become dead letters now, without another attempt
     * (while history is down only one record a second is attempted). At most {@code limit} at a time.
     */
    public List<Expired> expire(int limit) {
        Instant now = clock.instant();
        Instant queuedBefore = now.minus(maxAge);
        return database.inTransaction(c -> {
            List<Expired> expired = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select idempotency_key, conversation_id, last_error"
                    + " from history_delivery where state = 'pending' and failure_kind is not null and queued_at < ?"
                    + " order by queued_at")) {
                ps.setObject(1, ts(queuedBefore));
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String last = rs.getString(3);
                        expired.add(new Expired(rs.getString(1), rs.getString(2),
                                clip((last == null ? "history unavailable" : last) + tooOldNote())));
                    }
                }
            }
            for (Expired e : expired) {
                exec(c, "update history_delivery set state = 'dead_letter', failure_kind = 'unavailable', last_error = ?"
                        + " where idempotency_key = ?", e.problem(), e.idempotencyKey());
            }
            if (!expired.isEmpty()) {
                countUnavailableDeadLetters(expired.size());
                cachedCounts = null;
            }
            return expired;
        });
    }

    /**
     * The record to attempt with its conversation's context, in one query; null when it is not pending any more
     * (delivered meanwhile).
     */
    public Delivery load(String key) {
        return database.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("select d.conversation_id, e.envelope, d.source, d.attempts, t.context"
                    + " from history_delivery d join history_envelope e on e.idempotency_key = d.idempotency_key"
                    + " left join tracked_conversation t on t.conversation_id = d.conversation_id"
                    + " where d.idempotency_key = ? and d.state = 'pending'")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Delivery(key, rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            ContextJson.read(rs.getString(5), rs.getString(1))) : null;
                }
            }
        });
    }

    /** Marks a record delivered, inside the caller's transaction (with its conversation's change). */
    public void markDelivered(Connection c, String key, Instant now) throws SQLException {
        Probe answered = inFlightProbe;
        if (answered != null && answered.key().equals(key)) {
            inFlightProbe = null;
        }
        exec(c, "update history_delivery set state = 'delivered', delivered_at = ?, attempts = attempts + 1,"
                + " last_error = null, failure_kind = null where idempotency_key = ?", ts(now), key);
    }

    /**
     * Records a failed attempt and decides what follows: a retry, a deferral (breaker open) or the dead-letter state.
     * History unavailable: retried until the record is older than the age limit; refused: a dead letter now.
     */
    public Outcome failed(String key, Throwable failure) {
        String kind = kindOf(failure);
        String failedWith = describe(failure);
        Probe answered = inFlightProbe;
        boolean probedDeadLetter = answered != null && answered.deadLetter() && answered.key().equals(key);
        if (answered != null && answered.key().equals(key)) {
            inFlightProbe = null;
        }
        return database.inTransaction(c -> {
            Instant now = clock.instant();
            int attempts;
            Instant queuedAt;
            String previous;
            try (PreparedStatement ps = c.prepareStatement("select attempts, queued_at, last_error from history_delivery"
                    + " where idempotency_key = ? and state = 'pending'")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.RETRY; // delivered or replayed meanwhile: nothing to record
                    }
                    attempts = rs.getInt(1);
                    queuedAt = database.instant(rs, 2);
                    previous = rs.getString(3);
                }
            }
            boolean attempted = !"breaker".equals(kind);
            // an open breaker asked nothing: what history last answered is the better reason
            String error = attempted || previous == null ? failedWith : previous;
            int made = attempted ? attempts + 1 : attempts;
            boolean rejected = "rejected".equals(kind);
            boolean tooOld = queuedAt.plus(maxAge).isBefore(now);
            if (rejected || tooOld) {
                String why = rejected ? error : error + tooOldNote();
                exec(c, "update history_delivery set state = 'dead_letter', attempts = ?, last_error = ?, failure_kind = ?"
                        + " where idempotency_key = ?", made, clip(why), rejected ? "rejected" : "unavailable", key);
                if (!rejected) {
                    countUnavailableDeadLetters(1);
                }
                cachedCounts = null;
                // a dead letter that only showed history is still down: already counted, logged and on its conversation
                return probedDeadLetter && !rejected ? Outcome.PROBE_FAILED : Outcome.DEAD_LETTER;
            }
            // while history is down the back-off only orders the probes; its first success makes the record due
            Instant next = attempted ? now.plusMillis(backoff(made)) : now.plus(breakerOpen);
            exec(c, "update history_delivery set attempts = ?, next_attempt_at = ?, last_error = ?, failure_kind = ?"
                    + " where idempotency_key = ?", made, ts(next), clip(error), attempted ? "unavailable" : "breaker", key);
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

    /** The oldest dead letter history was unavailable for, pending again for one attempt; null when there is none. */
    private String probeDeadLetter() {
        if (!hasUnavailableDeadLetters()) {
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
                // its age is kept: a failure puts it straight back among the dead letters, a success replays the rest
                exec(c, "update history_delivery set state = 'pending', next_attempt_at = ?, failure_kind = null"
                        + " where idempotency_key = ?", ts(clock.instant().plus(lease)), key);
                countUnavailableDeadLetters(-1);
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

    private String tooOldNote() {
        long s = maxAge.toSeconds();
        return " (undelivered for longer than " + (s % 60 == 0 ? s / 60 + " min" : s + " s") + ")";
    }

    /** Keeps the count of dead letters a recovery replays, once it is known. */
    private void countUnavailableDeadLetters(int delta) {
        unavailableDeadLetters.updateAndGet(n -> n < 0 ? n : Math.max(0, n + delta));
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

    /** A record sent to see whether history is back; {@code until} its lease ends (an answer may never come). */
    private record Probe(String key, boolean deadLetter, Instant until) {
    }
}
