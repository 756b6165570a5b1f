package io.genesysgateway.conversation;

import java.util.Map;

/** A valid support-interaction trigger: the conversation id (lower-case UUID) and the rest of the body. */
public record TriggerRequest(String conversationId, Map<String, Object> context) {
}
