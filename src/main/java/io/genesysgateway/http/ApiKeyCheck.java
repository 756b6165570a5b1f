package io.genesysgateway.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Guards the gateway's HTTP API (trigger, status, replay): the caller sends the configured key in a request
 * header, {@code X-API-Key: <key>} or {@code Authorization: Bearer <key>}. Missing: 401; wrong: 403. A key in the
 * URL (a query parameter named like a key, or whose value is the key) is refused with 401 even when a header
 * carries it too: URLs end up in access logs, proxies and browser history. Only the request's real headers count
 * (platform-http also turns query parameters and form fields into message headers). Only
 * {@code gateway.auth-enabled=false} turns this off. Both headers are removed after the check, so the key never
 * travels further into a route or a log.
 */
public class ApiKeyCheck {

    static final String WHERE = "send it in the X-API-Key header or as Authorization: Bearer <key>"
            + " (never in the URL or the body)";
    private static final Set<String> KEY_LIKE_NAMES =
            Set.of("xapikey", "apikey", "key", "authorization", "accesstoken", "token", "bearer");

    private boolean enabled = true;
    private byte[] key = new byte[0];

    public void verify(Exchange exchange) {
        Message in = exchange.getMessage();
        String given;
        String authorization;
        String query;
        if (in instanceof HttpMessage http && http.getRequest() != null) {
            HttpServerRequest request = http.getRequest();
            given = request.getHeader("X-API-Key");
            authorization = request.getHeader("Authorization");
            query = request.query();
        } else {
            given = in.getHeader("X-API-Key", String.class);
            authorization = in.getHeader("Authorization", String.class);
            query = in.getHeader(Exchange.HTTP_QUERY, String.class);
        }
        in.removeHeader("X-API-Key");
        in.removeHeader("Authorization");
        if (!enabled) {
            return;
        }
        if (keyInQuery(query)) {
            throw new UnauthorizedException(401, "the API key is not accepted in the URL: " + WHERE);
        }
        String presented = presented(given, authorization);
        if (presented == null) {
            throw new UnauthorizedException(401, "missing API key: " + WHERE);
        }
        if (!matches(presented)) {
            throw new UnauthorizedException(403, "API key not accepted");
        }
    }

    /** True when the headers carry the configured key (or authentication is off). */
    public boolean accepts(String apiKeyHeader, String authorizationHeader) {
        if (!enabled) {
            return true;
        }
        String presented = presented(apiKeyHeader, authorizationHeader);
        return presented != null && matches(presented);
    }

    private static String presented(String given, String authorization) {
        if ((given == null || given.isEmpty()) && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = authorization.substring(7).trim();
        }
        return given == null || given.isEmpty() ? null : given;
    }

    private boolean matches(String presented) {
        return key.length > 0 && MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** A query parameter named like a key, or whose value is the key (with or without "Bearer "). */
    boolean keyInQuery(String query) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            String normalised = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            if (KEY_LIKE_NAMES.contains(normalised)) {
                return true;
            }
            String bare = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value;
            if (!bare.isEmpty() && matches(bare)) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setKey(String key) {
        this.key = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    }
}
