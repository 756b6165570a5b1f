package io.genesysgateway.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON body of every error the gateway's HTTP API answers: {@code {"error": ..., "message": ...}}. */
public class ErrorAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String failure(String error, Throwable cause) {
        return message(error, cause == null ? null : cause.getMessage());
    }

    public String message(String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (message != null) {
            body.put("message", message);
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
