package io.genesysgateway.socket;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether an ACW frame can become a record: an {@code eventBody} object whose {@code conversationId} is the topic's
 * and whose {@code participantId} is a UUID (together they are the record's Idempotency-Key), and times that are
 * numbers (the mapping turns them into ISO text). The route sends a frame with a problem to the malformed frames.
 */
public class AcwFrameCheck {

    private static final Pattern TOPIC =
            Pattern.compile("^v2\\.detail\\.events\\.conversation\\.([0-9a-f-]{36})\\.acw$");
    private static final Pattern UUID =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    /**
     * What is wrong with the frame, or null when nothing is. The answer names the cause only (no ids), so that it can
     * be logged once per cause.
     */
    public String problem(Map<String, Object> frame) {
        var topic = TOPIC.matcher(String.valueOf(frame.get("topicName")));
        if (!topic.matches()) {
            return "an ACW topic without a conversation id";
        }
        if (!(frame.get("eventBody") instanceof Map<?, ?> body)) {
            return "an ACW whose eventBody is not a JSON object";
        }
        Object conversationId = body.get("conversationId");
        if (conversationId == null) {
            return "an ACW without its conversationId";
        }
        if (!isUuid(conversationId)) {
            return "an ACW whose conversationId is not a UUID";
        }
        if (!conversationId.equals(topic.group(1))) {
            return "an ACW whose conversationId is not its topic's";
        }
        Object participantId = body.get("participantId");
        if (participantId == null) {
            return "an ACW without its participantId";
        }
        if (!isUuid(participantId)) {
            return "an ACW whose participantId is not a UUID";
        }
        for (String time : new String[] {"eventTime", "callbackScheduledTime"}) {
            Object value = body.get(time);
            if (value != null && !(value instanceof Integer || value instanceof Long)) {
                return "an ACW whose " + time + " is not a number of milliseconds";
            }
        }
        return null;
    }

    private static boolean isUuid(Object value) {
        return value instanceof String s && UUID.matcher(s).matches();
    }
}
