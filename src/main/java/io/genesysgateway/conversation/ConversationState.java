package io.genesysgateway.conversation;

/** Where a tracked conversation is, as the status endpoint reports it (lower-case names). */
public enum ConversationState {
    /** Tracked, its topic not yet on a channel (Genesys unreachable: retried in the background). */
    PENDING,
    /** Its ACW topic is on a channel with an open socket. */
    SUBSCRIBED,
    /** Subscribing failed for a reason retrying cannot fix (e.g. a missing permission); a new trigger retries. */
    FAILED,
    /** An ACW event arrived and is being delivered. */
    ACW_RECEIVED,
    /** The history record was accepted by Communication History. */
    DELIVERED,
    /** Delivery gave up; the record sits in the dead-letter store. */
    DEAD_LETTER;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
