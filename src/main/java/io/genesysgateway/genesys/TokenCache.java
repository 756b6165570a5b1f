package io.genesysgateway.genesys;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-credentials access token: fetched through route {@code genesys-token}, shared by every Genesys
 * call, renewed ahead of {@code expires_in} (a margin plus jitter, so many gateways do not renew in step),
 * dropped on a 401. A rejected client is reported once and not asked again before the back-off ends, so bad
 * credentials never become a loop of token requests.
 */
public class TokenCache implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private ProducerTemplate template;
    private String clientId;
    private String clientSecret;
    private long renewMarginSeconds = 60;
    private long failureBackoffSeconds = 30;
    private Clock clock = Clock.systemUTC();

    private String accessToken;
    private long renewAtMillis;
    private long expiresAtMillis;
    private GenesysApiException lastFailure;
    private long retryAfterFailureMillis;
    private long renewals;
    /** Counts the tokens obtained: a channel remembers the generation it was created with (a token's channels close with it). */
    private long generation;

    public synchronized String accessToken() {
        long now = clock.millis();
        if (accessToken != null && now < renewAtMillis) {
            return accessToken;
        }
        if (lastFailure != null && now < retryAfterFailureMillis) {
            if (accessToken != null && now < expiresAtMillis) {
                return accessToken; // renewal failed, the old token still works
            }
            throw lastFailure;
        }
        try {
            fetch(now);
            if (lastFailure != null) {
                LOG.info("Genesys access token obtained again after: {}", lastFailure.getMessage());
            }
            lastFailure = null;
            return accessToken;
        } catch (GenesysApiException e) {
            if (lastFailure == null || !String.valueOf(lastFailure.getMessage()).equals(e.getMessage())) {
                LOG.error("Cannot get a Genesys access token: {}. Retrying in {} s.", e.getMessage(), failureBackoffSeconds);
            }
            lastFailure = e;
            retryAfterFailureMillis = now + failureBackoffSeconds * 1000;
            if (accessToken != null && now < expiresAtMillis) {
                return accessToken;
            }
            throw e;
        }
    }

    /** The {@code Authorization} header value of a Platform call. */
    public String bearer() {
        return "Bearer " + accessToken();
    }

    /** Genesys answered 401 to a call sent with {@code authorization}: its token is dropped (see {@link #invalidate}). */
    public void rejected(String authorization) {
        if (authorization != null && authorization.startsWith("Bearer ")) {
            invalidate(authorization.substring("Bearer ".length()));
        }
    }

    /**
     * Renews the token now when its renewal time has come, without waiting for the next call to need it: Genesys closes
     * a token's channels when it expires, so they must move to the new token while the old one still works.
     *
     * @return the generation of the token held now (0 when none could be had yet)
     */
    public long renewIfDue() {
        synchronized (this) {
            if (accessToken == null || clock.millis() < renewAtMillis) {
                return generation;
            }
        }
        try {
            accessToken();
        } catch (GenesysApiException e) {
            // reported by accessToken(); channels stay on the old token until a renewal succeeds
        }
        return generation();
    }

    /** The generation of the token held now; it grows by one with every token obtained. */
    public synchronized long generation() {
        return generation;
    }

    /** Drops {@code token} after Genesys answered 401 for it, so the next call fetches a fresh one. */
    public synchronized void invalidate(String token) {
        if (token != null && token.equals(accessToken)) {
            accessToken = null;
            renewAtMillis = 0;
            expiresAtMillis = 0;
            lastFailure = null;
        }
    }

    /** True when a token is held and not expired, or one can be had now; used by health and status. */
    public synchronized boolean isHealthy() {
        return lastFailure == null || (accessToken != null && clock.millis() < expiresAtMillis);
    }

    public synchronized String lastFailureMessage() {
        return lastFailure == null ? null : lastFailure.getMessage();
    }

    public synchronized long renewals() {
        return renewals;
    }

    private void fetch(long now) {
        if (isBlank(clientId) || isBlank(clientSecret)) {
            throw new GenesysApiException("token request", "genesys.client-id and genesys.client-secret must be set", null);
        }
        String basic = "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        Exchange reply;
        try {
            reply = template().request("direct:genesys-token", e -> e.getMessage().setHeader("Authorization", basic));
        } catch (RuntimeException e) {
            throw new GenesysApiException("token request", "no answer from the login service", null);
        }
        if (reply.getException() != null) {
            throw new GenesysApiException("token request", "no answer from the login service ("
                    + reply.getException().getClass().getSimpleName() + ")", null);
        }
        int status = reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = reply.getMessage().getBody(String.class);
        JsonNode json = parse(body);
        if (status != 200 || json == null || !json.hasNonNull("access_token")) {
            String error = json == null ? null : json.path("error").asText(null);
            String description = json == null ? null : json.path("error_description").asText(json.path("description").asText(null));
            String hint = "invalid_client".equals(error) ? " - check genesys.client-id and genesys.client-secret" : "";
            throw new GenesysApiException("token request", status, error, description + hint, null, 0);
        }
        accessToken = json.get("access_token").asText();
        long lifetimeMillis = Math.max(1, json.path("expires_in").asLong(300)) * 1000;
        // a third of a short lifetime at most: time left to move the channels before the old token expires
        long margin = Math.min(renewMarginSeconds * 1000, lifetimeMillis / 3);
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, margin / 2));
        expiresAtMillis = now + lifetimeMillis;
        renewAtMillis = expiresAtMillis - margin - jitter;
        renewals++;
        generation++;
        LOG.debug("Genesys access token obtained, valid for {} s", lifetimeMillis / 1000);
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private ProducerTemplate template() {
        if (template == null) {
            template = camelContext.createProducerTemplate();
        }
        return template;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public void setClientSecret(String clientSecret) {
        this.clientSecret = clientSecret;
    }

    public void setRenewMarginSeconds(long renewMarginSeconds) {
        this.renewMarginSeconds = renewMarginSeconds;
    }

    public void setFailureBackoffSeconds(long failureBackoffSeconds) {
        this.failureBackoffSeconds = failureBackoffSeconds;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    /** For status views: never the token itself. */
    public synchronized Map<String, Object> describe() {
        return Map.of("held", accessToken != null, "expiresAtMillis", expiresAtMillis, "renewals", renewals,
                "lastFailure", lastFailure == null ? "" : lastFailure.getMessage());
    }
}
