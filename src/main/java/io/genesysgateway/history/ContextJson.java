package io.genesysgateway.history;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genesysgateway.store.StoreException;

/** The trigger context as stored: JSON text, read back as a map (empty for a conversation not tracked). */
public final class ContextJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ContextJson() {
    }

    public static String write(Map<String, Object> context) {
        try {
            return JSON.writeValueAsString(context);
        } catch (Exception e) {
            throw new IllegalArgumentException("context is not JSON: " + e.getMessage(), e);
        }
    }

    public static Map<String, Object> read(String json, String conversationId) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception e) {
            throw new StoreException("context of " + conversationId + " is not JSON: " + e.getMessage());
        }
    }
}
