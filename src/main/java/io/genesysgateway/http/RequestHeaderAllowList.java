package io.genesysgateway.http;

import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The header filter of camel-http (set once on the component, application.properties): only the request headers
 * the gateway means to send leave it (history: the Idempotency-Key; Genesys: the token and what the answer should
 * be; both: the body's type and, when tracing is on, the W3C trace context). camel-http sends every other message
 * header as a request header, so the gateway's own bookkeeping (conversation id, channel, socket route, topic)
 * would otherwise reach the customer's history service. Answers are read as Camel's HTTP default does.
 */
public class RequestHeaderAllowList extends HttpHeaderFilterStrategy {

    private static final Set<String> SENT = Set.of("idempotency-key", "content-type", "accept", "authorization",
            "traceparent", "tracestate", "baggage");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !SENT.contains(headerName.toLowerCase(Locale.ROOT));
    }
}
