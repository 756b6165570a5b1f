package io.genesysgateway.conversation;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Checks a trigger body before anything is tracked. The conversation id becomes part of a Genesys topic name
 * ({@code v2.detail.events.conversation.<id>.acw}), so only a canonical UUID is accepted: anything else could
 * change the topic (a dot, a wildcard) or subscribe to nothing.
 */
public class TriggerParser {

    static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private int maxBodyBytes = 16_384;

    public TriggerParser() {
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    public TriggerRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidTriggerException(400, "body is empty: expected a JSON object with \"conversationId\"");
        }
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBodyBytes) {
            throw new InvalidTriggerException(413, "body is " + bytes + " bytes; the limit is " + maxBodyBytes);
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (Exception e) {
            throw new InvalidTriggerException(400, "body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidTriggerException(400, "body must be a JSON object with \"conversationId\"");
        }
        JsonNode id = node.get("conversationId");
        if (id == null || id.isNull()) {
            throw new InvalidTriggerException(400, "\"conversationId\" is missing");
        }
        if (!id.isTextual()) {
            throw new InvalidTriggerException(400, "\"conversationId\" must be a string (a UUID), not " + id.getNodeType()
                    .toString().toLowerCase(Locale.ROOT));
        }
        if (!UUID.matcher(id.asText()).matches()) {
            throw new InvalidTriggerException(400, "\"conversationId\" must be a UUID such as "
                    + "\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"");
        }
        Map<String, Object> context = new LinkedHashMap<>();
        node.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("conversationId")) {
                context.put(f.getKey(), json.convertValue(f.getValue(), Object.class));
            }
        });
        return new TriggerRequest(id.asText().toLowerCase(Locale.ROOT), context);
    }

    public void setMaxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }
}
