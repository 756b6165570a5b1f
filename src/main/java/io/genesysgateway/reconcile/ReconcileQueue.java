package io.genesysgateway.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.genesysgateway.conversation.ConversationRepository;
import io.genesysgateway.store.Database;

/**
 * The conversations reconciliation is to ask Genesys' analytics about: put forward after a socket gap, claimed in
 * batches (each held for a while so that it is asked once, by one instance), and closed or asked again by what
 * analytics said. When is {@link ReconcileSchedule}'s decision (bean reconcileSchedule, shared with the store).
 */
public class ReconcileQueue {

    /** A reconciliation in flight holds its conversation this long; a crash mid-way retries after it. */
    private static final Duration RECONCILE_LEASE = Duration.ofMinutes(2);

    private final ConversationRepository conversations = new ConversationRepository();
    private final Clock clock = Clock.systemUTC();
    private Database database;
    private ReconcileSchedule schedule;
    /** The OAuth client this instance drives: its token asks analytics, so only its conversations are asked about. */
    private String client = "";

    /**
     * A socket gap on their channel: ask Genesys about them soon, and again later for what analytics had not settled
     * yet ({@code reconcile.after-gap-seconds}). A conversation already due sooner keeps its time.
     */
    public void reconcileSoon(List<String> conversationIds, String reason) {
        Instant at = schedule.afterGap(clock.instant());
        database.commit(sql -> conversations.askSoon(sql, conversationIds, at, reason, schedule.gapPassesAfterFirst()));
    }

    /** Up to {@code limit} conversations of this instance's OAuth client due for reconciliation, each held for a while so it is asked once. */
    public List<String> dueForReconciliation(int limit) {
        Instant now = clock.instant();
        return database.write(sql -> conversations.claimDue(sql, client, now, now.plus(RECONCILE_LEASE), limit));
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

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setClient(String client) {
        this.client = client == null ? "" : client;
    }

    public void setSchedule(ReconcileSchedule schedule) {
        this.schedule = schedule;
    }
}
