package io.genesysgateway.conversation;

import io.genesysgateway.history.Outbox;

/**
 * An ACW event offered to the store: what became of it, whose it is, where it came from ({@code live} or
 * {@code reconciled}) and, when {@link Outcome#STORED}, the record to deliver.
 */
public record AcwReceipt(Outcome outcome, String conversationId, String source, Outbox.Delivery delivery) {

    /** What became of an ACW event offered to the store. */
    public enum Outcome {
        /** the first time this wrap-up is seen: in the outbox, to be delivered */
        STORED,
        /** the same wrap-up again (same Idempotency-Key): nothing changed */
        DUPLICATE,
        /** no such conversation in the store (never tracked, or closed and purged): nothing written */
        UNTRACKED
    }
}
