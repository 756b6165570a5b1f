package io.genesysgateway.channel;

import java.util.List;

/**
 * What became of some conversations' subscribe requests, one outcome, channel and reason for all of them (the store
 * records them in one transaction).
 *
 * @param outcome {@code subscribed}, {@code pending} (tried again later) or {@code failed} (Genesys refused)
 * @param channelId the channel carrying them when subscribed, else null
 * @param problem why not, else null
 */
public record SubscriptionOutcome(String outcome, String channelId, String problem, List<String> conversationIds) {
}
