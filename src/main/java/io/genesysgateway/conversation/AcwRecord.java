package io.genesysgateway.conversation;

/**
 * A wrap-up to offer to the store: its conversation, its Idempotency-Key, the event as JSON text and where it came
 * from ({@code live} or {@code reconciled}).
 */
public record AcwRecord(String conversationId, String idempotencyKey, String json, String source) {
}
