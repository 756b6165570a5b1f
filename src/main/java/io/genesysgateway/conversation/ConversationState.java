package io.genesysgateway.conversation;

import java.util.Locale;

/** Where a tracked conversation is, as the status endpoint reports it (lower-case names). */
public enum ConversationState {
    /** Tracked, its topic not yet on a channel (Genesys unreachable: retried in the background). */
    PENDING,
    /** Its ACW topic is on a channel with an open socket. */
    SUBSCRIBED,
    /** Subscribing failed for a reason retrying cannot fix (e.g. a missing permission); a new trigger retries. */
    FAILED,
    /** A wrap-up is in the outbox, not yet accepted by Communication History. */
    ACW_RECEIVED,
    /** Every wrap-up so far was accepted; the topic lingers in case another agent (a transfer) wraps up too. */
    DELIVERED,
    /** A history record gave up; it sits in the dead-letter state until replayed. */
    DEAD_LETTER,
    /** Final: Genesys says the conversation ended, and every wrap-up reached history. */
    COMPLETED,
    /** Final: the conversation ended without a wrap-up (skipped by the agent, or it never reached one). */
    NO_WRAPUP,
    /** Final: Genesys reported no end within {@code reconcile.expire-after-hours}; tracking stopped. */
    EXPIRED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
