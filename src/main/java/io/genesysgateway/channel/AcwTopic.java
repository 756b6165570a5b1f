package io.genesysgateway.channel;

/** The Genesys topic that carries a conversation's after-call work. */
public final class AcwTopic {

    public static final String PREFIX = "v2.detail.events.conversation.";
    public static final String SUFFIX = ".acw";

    private AcwTopic() {
    }

    public static String of(String conversationId) {
        return PREFIX + conversationId + SUFFIX;
    }

    public static String conversationOf(String topic) {
        return topic.substring(PREFIX.length(), topic.length() - SUFFIX.length());
    }
}
