package io.genesysgateway.history;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.genesysgateway.store.Database;
import io.genesysgateway.store.RecentCounts;
import io.genesysgateway.store.Sql;

/**
 * The history outbox, as the routes use it: every wrap-up is written here before it counts as received, then
 * delivered, retried, or moved to the dead-letter state, from where it is replayed (on request, and by default
 * when history recovers). A record being attempted holds a lease ({@code next_attempt_at} in the future) so it is
 * sent by one consumer at a time; a crash releases it.
 * <p>
 * A pending record that waits after a failure carries the kind of that failure ({@code failure_kind}
 * {@code unavailable} or {@code breaker}) until it is claimed again: that tells a record waiting out a back-off,
 * which a recovery may send at once, from one in flight, which must not be sent twice. What follows a failure is
 * {@link RetryPolicy}'s decision; which record shows whether history is back is {@link RecoveryProbe}'s.
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

    private final DeliveryRepository records = new DeliveryRepository();
    private final EnvelopeRepository envelopes = new EnvelopeRepository();
    private final RetryPolicy retries = new RetryPolicy();
    private Database database;
    private RecoveryProbe probe;
    private final Clock clock = Clock.systemUTC();
    /** Leases ending before this plus the lease were taken before this process started. */
    private final Instant startedAt = clock.instant();
    private final RecentCounts counts = new RecentCounts(List.of("pending", "delivered", "dead_letter"),
            () -> database.read(records::countsByState));
    private Duration lease = Duration.ofSeconds(60);

    /** A wrap-up to record: its Idempotency-Key, conversation, notification (JSON) and source. */
    public record NewRecord(String key, String conversationId, String envelope, String source) {
    }

    /**
     * Writes the records whose key is new inside the caller's unit of work, leased to the caller who delivers them
     * next; one batch per table, whatever their number. Returns, for each, whether it was new (false: seen before).
     */
    public boolean[] insertNew(Sql sql, List<NewRecord> batch, Instant now) throws SQLException {
        boolean[] inserted = records.insertNew(sql, batch, now, now.plus(lease));
        List<Object[]> envelopeRows = new ArrayList<>(batch.size());
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i]) {
                envelopeRows.add(new Object[] {batch.get(i).key(), batch.get(i).envelope()});
            }
        }
        envelopes.insert(sql, envelopeRows);
        return inserted;
    }

    /** Marks records delivered, inside the caller's unit of work (with their conversations' change). */
    public void markDelivered(Sql sql, List<String> keys, Instant now) throws SQLException {
        keys.forEach(probe::answered);
        records.markDelivered(sql, keys, now);
    }

    /** Deletes the delivered records (and their envelopes) of conversations closed before the cutoff. */
    public void purgeDeliveredOfClosedBefore(Sql sql, Instant cutoff) throws SQLException {
        envelopes.purgeDeliveredOfClosedBefore(sql, cutoff);
        records.purgeDeliveredOfClosedBefore(sql, cutoff);
    }

    /** The records of one conversation, for its status document. */
    public List<Map<String, Object>> describeConversation(Sql sql, String conversationId) throws SQLException {
        return records.ofConversation(sql, conversationId);
    }

    /** Up to {@code limit} records due for an attempt (after a back-off, a lost lease or a restart), leased. */
    public List<String> claimDue(int limit) {
        Instant now = clock.instant();
        return database.write(sql -> records.claimDue(sql, now, now.plus(lease), limit));
    }

    /** While history is down: the one record to try, or null (see {@link RecoveryProbe}). */
    public String probe(boolean replayDeadLetters) {
        return probe.next(replayDeadLetters, clock.instant(), lease);
    }

    /**
     * History may be back, with nothing pending to show it: after an outage longer than the age limit, or after a
     * restart with dead letters. Same as {@link #probe} for those dead letters, and never while records are pending
     * (their next attempt tells).
     */
    public String probeIfOnlyDeadLetters(boolean replayDeadLetters) {
        if (!replayDeadLetters || !probe.hasUnavailableDeadLetters() || database.read(records::pendingCount) > 0) {
            return null;
        }
        return probe(true);
    }

    /** History answers again: every record waiting out a back-off or the breaker (none in flight) is due now. */
    public int resumeWaiting() {
        Instant now = clock.instant();
        return database.write(sql -> records.resumeWaiting(sql, now));
    }

    /**
     * Records that waited for history longer than the age limit become dead letters now, without another attempt
     * (while history is down only one record a second is attempted). At most {@code limit} at a time.
     */
    public List<Expired> expire(int limit) {
        Instant queuedBefore = retries.oldestAllowed(clock.instant());
        return database.write(sql -> {
            List<Expired> expired = records.waitingSince(sql, queuedBefore, limit).stream()
                    .map(w -> new Expired(w.idempotencyKey(), w.conversationId(), retries.expired(w.problem()))).toList();
            for (Expired e : expired) {
                records.deadLetterUnattempted(sql, e.idempotencyKey(), e.problem());
            }
            if (!expired.isEmpty()) {
                probe.countUnavailableDeadLetters(expired.size());
                counts.invalidate();
            }
            return expired;
        });
    }

    /** The record to attempt with its conversation's context; null when it is not pending any more. */
    public Delivery load(String key) {
        return database.read(sql -> records.load(sql, key));
    }

    /**
     * Records a failed attempt and decides what follows: a retry, a deferral (breaker open) or the dead-letter state
     * ({@link RetryPolicy}).
     */
    public Outcome failed(String key, Throwable failure) {
        boolean probedDeadLetter = probe.answered(key);
        return database.write(sql -> {
            DeliveryRepository.Attempt attempt = records.attempt(sql, key);
            if (attempt == null) {
                return Outcome.RETRY; // delivered or replayed meanwhile: nothing to record
            }
            RetryPolicy.Decision next = retries.after(attempt, failure, clock.instant());
            if (next.deadLetter()) {
                records.deadLetter(sql, key, next.attempts(), next.error(), next.kind());
                boolean unavailable = DeliveryFailure.UNAVAILABLE.equals(next.kind());
                if (unavailable) {
                    probe.countUnavailableDeadLetters(1);
                }
                counts.invalidate();
                // a dead letter that only showed history is still down: already counted, logged and on its conversation
                return probedDeadLetter && unavailable ? Outcome.PROBE_FAILED : Outcome.DEAD_LETTER;
            }
            records.retryAt(sql, key, next.attempts(), next.nextAttemptAt(), next.error(), next.kind());
            return next.attempted() ? Outcome.RETRY : Outcome.DEFERRED;
        });
    }

    /** The reason of the last failure of a record, for the log and the conversation. */
    public String lastError(String key) {
        return database.read(sql -> records.lastError(sql, key));
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
        return probe.hasUnavailableDeadLetters();
    }

    /**
     * At start: records leased by a process that is gone are due now. Not those leased since this one started: the
     * outbox poll may have claimed them already (a restart that took longer than a lease), and releasing them would
     * send them twice.
     */
    public int releaseLeases() {
        Instant now = clock.instant();
        return database.write(sql -> records.releaseLeases(sql, now, startedAt.plus(lease)));
    }

    private int requeue(String where, Object... args) {
        Instant now = clock.instant();
        int n = database.write(sql -> records.requeue(sql, now, where, args));
        probe.recount();
        counts.invalidate();
        return n;
    }

    /** Records by state (pending, delivered, dead_letter), at most a second old. */
    public Map<String, Long> counts() {
        return counts.get();
    }

    public long deadLetterCount() {
        return counts().get("dead_letter");
    }

    public long pendingCount() {
        return counts().get("pending");
    }

    /** The dead letters, oldest first, without their bodies. */
    public List<Map<String, Object>> deadLetters(int limit) {
        return database.read(sql -> records.deadLetters(sql, limit));
    }

    public void setDatabase(Database database) {
        this.database = database;
        this.probe = new RecoveryProbe(database, records);
    }

    public void setBackoffMillis(long backoffMillis) {
        retries.setBackoffMillis(backoffMillis);
    }

    public void setMaxBackoffMillis(long maxBackoffMillis) {
        retries.setMaxBackoffMillis(maxBackoffMillis);
    }

    public void setMaxAgeSeconds(long seconds) {
        retries.setMaxAge(Duration.ofSeconds(seconds));
    }

    public void setLeaseSeconds(long seconds) {
        this.lease = Duration.ofSeconds(seconds);
    }

    public void setBreakerOpenSeconds(long seconds) {
        retries.setBreakerOpen(Duration.ofSeconds(seconds));
    }
}
