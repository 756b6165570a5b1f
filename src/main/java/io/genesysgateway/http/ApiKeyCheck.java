package io.genesysgateway.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Guards the gateway's HTTP API (trigger, status, replay): the caller sends the configured key as
 * {@code X-API-Key: <key>} or {@code Authorization: Bearer <key>}. Missing: 401; wrong: 403. Only
 * {@code gateway.auth-enabled=false} turns this off. Both headers are removed after the check, so the key
 * never travels further into a route or a log.
 */
public class ApiKeyCheck {

    private boolean enabled = true;
    private byte[] key = new byte[0];

    public void verify(Exchange exchange) {
        Message in = exchange.getMessage();
        String given = in.getHeader("X-API-Key", String.class);
        String authorization = in.getHeader("Authorization", String.class);
        in.removeHeader("X-API-Key");
        in.removeHeader("Authorization");
        if (!enabled) {
            return;
        }
        if (given == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = authorization.substring(7).trim();
        }
        if (given == null || given.isEmpty()) {
            throw new UnauthorizedException(401, "missing API key: send it as X-API-Key or Authorization: Bearer");
        }
        if (key.length == 0 || !MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
            throw new UnauthorizedException(403, "API key not accepted");
        }
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setKey(String key) {
        this.key = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    }
}
