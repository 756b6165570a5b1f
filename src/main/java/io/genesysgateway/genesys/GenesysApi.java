package io.genesysgateway.genesys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpMethods;

/**
 * The Genesys Cloud Platform calls the gateway makes, typed: each is sent through route {@code genesys-api}, which
 * holds the call policy (retries, back-off, Retry-After, the fresh token after a 401, the request budget, the
 * circuit breaker). A failed call becomes a {@link GenesysApiException} with the Platform error body's message,
 * code and {@code ININ-Correlation-ID}. Java calls the route because the channel lifecycle that needs these
 * answers is decided in Java (the channel package).
 */
public class GenesysApi implements CamelContextAware {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNELS = "/api/v2/notifications/channels";

    private CamelContext camelContext;
    private ProducerTemplate template;
    private TokenCache tokenCache;
    private String apiUrl;
    /** a longer Retry-After is cut to this, so that one call does not hold its thread for minutes */
    private static final long MAX_RETRY_AFTER_SECONDS = 60;
    private final Map<String, AtomicLong> callsByStatus = new ConcurrentHashMap<>();
    private java.util.function.Consumer<String> callListener = status -> { };

    /**
     * A notification channel as {@code POST /channels} returns it, with the generation of the access token it was
     * created with (Genesys closes a channel when that token expires).
     */
    public record Channel(String id, String connectUri, Instant expires, long tokenGeneration) {
    }

    public Channel createChannel() {
        // read before the call: a renewal racing it makes the channel look older than it is (moved once more), never newer
        long generation = tokenCache.generation();
        JsonNode json = call("create channel", "POST", CHANNELS, "").json();
        Instant expires = json.hasNonNull("expires") ? Instant.parse(json.get("expires").asText()) : null;
        return new Channel(json.path("id").asText(), json.path("connectUri").asText(), expires, generation);
    }

    /**
     * {@code GET /channels?includechannels=oauthclient}: how many channels the OAuth client has at Genesys, the gateway's
     * and those of other applications or older tokens (whose ids Genesys withholds). A 21st evicts one of them.
     */
    public int clientChannelCount() {
        return call("list channels", "GET", CHANNELS + "?includechannels=oauthclient", null).json().path("entities").size();
    }

    /** {@code HEAD /channels/{id}}: true while Genesys still knows the channel. */
    public boolean channelExists(String channelId) {
        try {
            call("check channel", "HEAD", CHANNELS + "/" + channelId, null);
            return true;
        } catch (GenesysApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /**
     * {@code POST /channels/{id}/subscriptions}: adds topics to the channel.
     *
     * @return the topics Genesys rejected (missing permission), which are not subscribed
     */
    public List<String> addSubscriptions(String channelId, Collection<String> topics) {
        return rejected(call("subscribe", "POST", CHANNELS + "/" + channelId + "/subscriptions", topicList(topics)).json());
    }

    /** {@code PUT /channels/{id}/subscriptions}: the channel's topics become exactly {@code topics}. */
    public List<String> replaceSubscriptions(String channelId, Collection<String> topics) {
        if (topics.isEmpty()) {
            call("unsubscribe all", "DELETE", CHANNELS + "/" + channelId + "/subscriptions", null);
            return List.of();
        }
        return rejected(call("replace subscriptions", "PUT", CHANNELS + "/" + channelId + "/subscriptions",
                topicList(topics)).json());
    }

    /**
     * {@code GET /api/v2/analytics/conversations/details?id=a,b,c}: the analytics documents of several conversations in
     * one call (one request of the rate budget). Conversations analytics does not know are absent from the map.
     */
    public Map<String, JsonNode> conversationDetails(Collection<String> conversationIds) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        if (conversationIds.isEmpty()) {
            return out;
        }
        JsonNode reply = call("conversation details", "GET", "/api/v2/analytics/conversations/details?id="
                + String.join(",", conversationIds), null).json();
        reply.path("conversations").forEach(doc -> out.put(doc.path("conversationId").asText(), doc));
        return out;
    }

    /** Calls by HTTP status ("0" for no answer), for metrics and status. */
    public Map<String, Long> callsByStatus() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        callsByStatus.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** One answered call. */
    public record Response(int status, String body) {
        JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (Exception e) {
                throw new GenesysApiException("parse reply", "Genesys answered something that is not JSON", e);
            }
        }
    }

    Response call(String operation, String method, String path, String body) {
        Exchange reply = template().request("direct:genesys-api", e -> {
            e.setProperty("genesysOperation", operation);
            // as camel-http's own type: its header read converts a String to it through a slow uncached lookup
            e.setProperty("genesysMethod", HttpMethods.valueOf(method));
            e.setProperty("genesysUri", apiUrl + path);
            e.setProperty("genesysBody", body == null || body.isEmpty() ? null : body);
        });
        // an open breaker rejects the call without an exception (and without an answer)
        Integer status = reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (reply.getException() == null && status == null
                && reply.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_REJECTED, false, Boolean.class)) {
            count("breaker-open");
            throw new GenesysApiException(operation, "not sent: the circuit breaker is open after repeated Genesys failures", null);
        }
        // a 5xx after the last attempt, or no token to be had
        for (Throwable t = reply.getException(); t != null; t = t.getCause()) {
            if (t instanceof GenesysApiException failed) {
                throw failed;
            }
        }
        if (status == null) {
            count("0");
            Throwable cause = reply.getException();
            throw new GenesysApiException(operation, cause == null ? "no answer"
                    : "no answer (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", null);
        }
        String text = reply.getMessage().getBody(String.class);
        if (status >= 200 && status < 300) {
            return new Response(status, text);
        }
        throw error(operation, status, text, name -> reply.getMessage().getHeader(name, String.class));
    }

    /**
     * Counts one answer of route genesys-api-attempt (every attempt, retries included); a 5xx is thrown as
     * {@link GenesysUnavailable}, carrying what Genesys said, so that the circuit breaker counts it.
     */
    public void answered(String operation, int status, String body, String correlationId) {
        count(Integer.toString(status));
        if (status >= 500) {
            throw new GenesysUnavailable(error(operation, status, body, name -> "ININ-Correlation-ID".equals(name) ? correlationId : null));
        }
    }

    /** How long a 429 waits before the next attempt: its Retry-After, at least 1 s and cut to a minute. */
    public long retryAfterMillis(String retryAfter) {
        long seconds;
        try {
            seconds = retryAfter == null ? 1 : Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            seconds = 1;
        }
        return Math.min(Math.max(1, seconds), MAX_RETRY_AFTER_SECONDS) * 1000;
    }

    private static GenesysApiException error(String operation, int status, String text,
            java.util.function.Function<String, String> header) {
        String code = null;
        String message = null;
        try {
            JsonNode json = text == null || text.isBlank() ? null : JSON.readTree(text);
            if (json != null) {
                code = json.path("code").asText(null);
                message = json.path("message").asText(null);
            }
        } catch (Exception ignored) {
            message = null; // not a Platform error body; status alone says enough
        }
        long retryAfter = 0;
        try {
            String value = header.apply("Retry-After");
            retryAfter = value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException ignored) {
            retryAfter = 0;
        }
        return new GenesysApiException(operation, status, code, message, header.apply("ININ-Correlation-ID"), retryAfter);
    }

    private static String topicList(Collection<String> topics) {
        ArrayNode array = JSON.createArrayNode();
        topics.forEach(t -> array.addObject().put("id", t));
        return array.toString();
    }

    private static List<String> rejected(JsonNode listing) {
        List<String> rejected = new ArrayList<>();
        listing.path("entities").forEach(e -> {
            if ("Rejected".equals(e.path("state").asText())) {
                rejected.add(e.path("id").asText());
            }
        });
        return rejected;
    }

    private void count(String status) {
        callsByStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        callListener.accept(status);
    }

    /** Told the status of every call (metrics). */
    public void setCallListener(java.util.function.Consumer<String> callListener) {
        this.callListener = callListener;
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

    public void setTokenCache(TokenCache tokenCache) {
        this.tokenCache = tokenCache;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }
}
