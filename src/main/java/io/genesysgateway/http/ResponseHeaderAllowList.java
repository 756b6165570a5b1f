package io.genesysgateway.http;

import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The header filter of every platform-http endpoint (set once on the component, application.properties): only
 * the response headers the API means to send leave the gateway. platform-http turns every query parameter, form
 * field and request header into a message header and, by default, sends back whatever is left of them as
 * response headers ({@code ?Set-Cookie=…}, {@code ?Refresh=0;url=…}, {@code ?Access-Control-Allow-Origin=…}).
 * {@code Content-Type} and {@code Content-Length} are written by the component itself; incoming headers are
 * filtered as Camel's HTTP default does (no {@code Camel*} header from outside).
 */
public class ResponseHeaderAllowList extends HttpHeaderFilterStrategy {

    private static final Set<String> ALLOWED = Set.of("retry-after", "www-authenticate", "allow", "cache-control");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !ALLOWED.contains(headerName.toLowerCase(Locale.ROOT));
    }
}
