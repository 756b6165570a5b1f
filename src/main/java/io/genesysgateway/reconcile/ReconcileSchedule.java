package io.genesysgateway.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import io.genesysgateway.conversation.ConversationState.Event;

/**
 * When Genesys' analytics is asked about a tracked conversation, and what its answer decides: closed (ended, or
 * tracking expired) or asked again, and when. Times come from {@code reconcile.*}; nothing here reads the store.
 */
public class ReconcileSchedule {

    /** What an answer decides: close with an event (and the problem to show), or ask again at a time. */
    public record Verdict(Event closeWith, String problem, Instant askAt, String reason, int gapPassesLeft) {

        public boolean closes() {
            return closeWith != null;
        }

        static Verdict close(Event event, String problem) {
            return new Verdict(event, problem, null, null, 0);
        }

        static Verdict askAgain(Instant at, String reason, int gapPassesLeft) {
            return new Verdict(null, null, at, reason, gapPassesLeft);
        }
    }

    private Duration staleAfter = Duration.ofMinutes(60);
    private Duration linger = Duration.ofMinutes(5);
    /** When to ask after a socket gap or a restart, counted from the gap's end: soon, then again later. */
    private List<Duration> afterGap = List.of(Duration.ofSeconds(3), Duration.ofSeconds(60));
    private Duration recheck = Duration.ofMinutes(5);
    private Duration expireAfter = Duration.ofHours(48);

    /** A conversation just tracked is asked about if no wrap-up came by then. */
    public Instant firstAsk(Instant trackedAt) {
        return trackedAt.plus(staleAfter);
    }

    /** Every wrap-up delivered: the topic lingers (another agent may wrap up after a transfer), then it is asked. */
    public Instant afterLinger(Instant deliveredAt) {
        return deliveredAt.plus(linger);
    }

    /** After a socket gap or a restart: the first pass. */
    public Instant afterGap(Instant gapEnd) {
        return gapEnd.plus(afterGap.get(0));
    }

    /** After a socket gap or a restart: the passes that follow the first. */
    public int gapPassesAfterFirst() {
        return afterGap.size() - 1;
    }

    /**
     * What an answer of analytics decides. Ended with every agent wrapped up or skipped: closed. Tracked for longer
     * than the expiry time: closed. After a gap, with passes left: asked again at the next pass (analytics may not
     * show yet what happened in the gap). Otherwise asked again after the recheck time.
     */
    public Verdict decide(AnalyticsFindings findings, Instant trackedAt, int gapPassesLeft, Instant now) {
        if (findings.complete()) {
            return Verdict.close(Event.ENDED, findings.whyNoWrapup());
        }
        if (trackedAt.plus(expireAfter).isBefore(now)) {
            return Verdict.close(Event.TIMED_OUT, "tracking stopped: " + findings.waitingFor() + " after "
                    + expireAfter.toMinutes() + " min");
        }
        if (gapPassesLeft > 0) {
            int pass = afterGap.size() - gapPassesLeft;
            Duration wait = afterGap.get(pass).minus(afterGap.get(pass - 1));
            return Verdict.askAgain(now.plus(wait), "after a gap, pass " + (pass + 1), gapPassesLeft - 1);
        }
        return Verdict.askAgain(now.plus(recheck), findings.waitingFor(), 0);
    }

    public void setStaleAfterSeconds(long seconds) {
        this.staleAfter = Duration.ofSeconds(seconds);
    }

    public void setLingerSeconds(long seconds) {
        this.linger = Duration.ofSeconds(seconds);
    }

    /** Comma-separated seconds after a gap's end at which analytics is asked, ascending (e.g. {@code 3,60}). */
    public void setAfterGapSeconds(String seconds) {
        List<Duration> passes = Arrays.stream(seconds.split(",")).map(String::trim).filter(t -> !t.isEmpty())
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
}
