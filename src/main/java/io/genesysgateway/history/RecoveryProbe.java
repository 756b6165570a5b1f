package io.genesysgateway.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.store.Database;

/**
 * While history is down, one record at a time is sent to see whether it is back: the pending record whose turn came
 * first, whatever its back-off says (a failed probe goes to the back of the line, so one record history chokes on
 * does not hold up the others); with none pending, the oldest dead letter history was unavailable for. One probe is
 * in flight at a time (until its answer, or its lease ends), so a history that hangs is not sent one per tick.
 */
final class RecoveryProbe {

    private final Database database;
    private final DeliveryRepository records;
    /** The probe in flight, if any. */
    private volatile Probe inFlight;
    /** Dead letters whose history was unavailable: the ones a recovery replays. -1 until counted. */
    private final AtomicLong unavailableDeadLetters = new AtomicLong(-1);

    RecoveryProbe(Database database, DeliveryRepository records) {
        this.database = database;
        this.records = records;
    }

    /** The record to try now, leased until {@code now + lease}; null while the previous probe is unanswered. */
    String next(boolean replayDeadLetters, Instant now, Duration lease) {
        Probe last = inFlight;
        if (last != null && now.isBefore(last.until())) {
            return null;
        }
        Instant until = now.plus(lease);
        List<String> due = database.write(sql -> records.claimFirstWaiting(sql, now, until));
        if (!due.isEmpty()) {
            inFlight = new Probe(due.get(0), false, until);
            return due.get(0);
        }
        String letter = replayDeadLetters ? reopenDeadLetter(until) : null;
        inFlight = letter == null ? null : new Probe(letter, true, until);
        return letter;
    }

    /** An attempt of this record was answered. True when it was a dead letter sent as a probe. */
    boolean answered(String key) {
        Probe answered = inFlight;
        if (answered != null && answered.key().equals(key)) {
            inFlight = null;
            return answered.deadLetter();
        }
        return false;
    }

    /** True while dead letters wait for history to come back. */
    boolean hasUnavailableDeadLetters() {
        long known = unavailableDeadLetters.get();
        if (known < 0) {
            known = database.read(records::unavailableDeadLetters);
            unavailableDeadLetters.compareAndSet(-1, known);
        }
        return known > 0;
    }

    /** Keeps the count of dead letters a recovery replays, once it is known. */
    void countUnavailableDeadLetters(int delta) {
        unavailableDeadLetters.updateAndGet(n -> n < 0 ? n : Math.max(0, n + delta));
    }

    /** Dead letters were replayed: counted again when next asked. */
    void recount() {
        unavailableDeadLetters.set(-1);
    }

    /** The oldest dead letter history was unavailable for, pending again for one attempt; null when there is none. */
    private String reopenDeadLetter(Instant until) {
        if (!hasUnavailableDeadLetters()) {
            return null;
        }
        return database.write(sql -> {
            String key = records.oldestUnavailableDeadLetter(sql);
            if (key != null) {
                // its age is kept: a failure puts it straight back among the dead letters, a success replays the rest
                records.reopen(sql, key, until);
                countUnavailableDeadLetters(-1);
            }
            return key;
        });
    }

    /** A record sent to see whether history is back; {@code until} its lease ends (an answer may never come). */
    private record Probe(String key, boolean deadLetter, Instant until) {
    }
}
