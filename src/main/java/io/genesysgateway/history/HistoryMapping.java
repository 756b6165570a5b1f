package io.genesysgateway.history;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds what the history mapping ({@code history-record.jsonata} beside the routes) reads: the ACW event body
 * as {@code event}, the trigger's context as {@code context}, and the envelope's {@code topicName} and
 * {@code correlationId}. The mapping, not this class, decides the record's shape.
 */
public class HistoryMapping {

    @SuppressWarnings("unchecked")
    public Map<String, Object> input(Map<String, Object> envelope, Map<String, Object> context) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("event", envelope.getOrDefault("eventBody", Map.of()));
        in.put("context", context == null ? Map.of() : context);
        in.put("topicName", envelope.get("topicName"));
        Object metadata = envelope.get("metadata");
        in.put("correlationId", metadata instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("CorrelationId") : null);
        return in;
    }
}
