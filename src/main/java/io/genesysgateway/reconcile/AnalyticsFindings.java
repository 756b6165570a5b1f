package io.genesysgateway.reconcile;

import java.util.List;
import java.util.Map;

/**
 * What Genesys' analytics says about one conversation: the wrap-ups it holds (rebuilt as ACW notifications) and
 * whether more can follow.
 *
 * @param found           analytics knows the conversation
 * @param ended           it has a {@code conversationEnd}
 * @param agents          agent participants that talked to the customer (each owes a wrap-up or skips it)
 * @param awaitingWrapup  of those, how many have neither a wrap-up segment nor {@code acwSkipped} yet
 * @param skipped         of those, how many skipped after-call work
 * @param wrapups         ACW notifications rebuilt from the wrap-up segments
 */
public record AnalyticsFindings(String conversationId, boolean found, boolean ended, int agents, int awaitingWrapup,
                                int skipped, List<Map<String, Object>> wrapups) {

    /** Nothing more can happen: the conversation ended and every agent wrapped up or skipped. */
    public boolean complete() {
        return found && ended && awaitingWrapup == 0;
    }

    /** Why the conversation is not complete, for its status. */
    public String waitingFor() {
        if (!found) {
            return "not in Genesys analytics yet";
        }
        if (!ended) {
            return "conversation still active";
        }
        return awaitingWrapup + " agent wrap-up(s) not yet in analytics";
    }

    /** Why a complete conversation has no record. */
    public String whyNoWrapup() {
        return agents == 0 ? "ended without reaching an agent" : "wrap-up skipped by the agent";
    }
}
