package io.genesysgateway.tracing;

import java.util.Map;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.opentelemetry2.OpenTelemetrySpanAdapter;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.telemetry.Span;
import org.apache.camel.telemetry.SpanContextPropagationExtractor;
import org.apache.camel.telemetry.SpanContextPropagationInjector;
import org.apache.camel.telemetry.SpanLifecycleManager;
import org.apache.camel.util.URISupport;

/**
 * The gateway's part in camel-opentelemetry2's spans (installed on its tracer when tracing is on; otherwise this does
 * nothing). Camel starts a span per route and per endpoint call; here each span
 * <ul>
 * <li>carries the conversation it works for ({@value #CONVERSATION_ATTRIBUTE}, from the exchange's
 * {@code conversationId} header when the span starts);</li>
 * <li>joins the trace of the conversation's trigger when the exchange names that trigger's span in
 * {@value #TRIGGER_TRACE_HEADER} (route history-delivery: the delivery runs in another exchange, maybe after a
 * restart, so the trigger's W3C traceparent is kept in the store), with a link to the span it ran under;</li>
 * <li>never records a URL with its password or secret query parameters.</li>
 * </ul>
 * Starting, ending and propagating (the W3C {@code traceparent} header) stay camel-opentelemetry2's own.
 */
public class ConversationSpans implements SpanLifecycleManager, CamelContextAware {

    public static final String CONVERSATION_ATTRIBUTE = "genesys.conversation.id";
    /** A Camel header: camel-http never sends those, so it stays inside the gateway. */
    public static final String TRIGGER_TRACE_HEADER = "CamelGatewayTriggerTrace";
    private static final String CONVERSATION_HEADER = "conversationId";

    private static final TextMapGetter<SpanContextPropagationExtractor> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(SpanContextPropagationExtractor carrier) {
            return carrier.keys();
        }

        @Override
        public String get(SpanContextPropagationExtractor carrier, String key) {
            Object value = carrier == null ? null : carrier.get(key);
            return value == null ? null : value.toString();
        }
    };

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private CamelContext camelContext;
    private SpanLifecycleManager camel;
    private Tracer tracer;
    private ContextPropagators propagators;

    /** Puts itself in front of camel-opentelemetry2's span handling; without a Camel tracer (tracing off) does nothing. */
    public void install() {
        org.apache.camel.telemetry.Tracer camelTracer = camelContext.hasService(org.apache.camel.telemetry.Tracer.class);
        if (camelTracer == null || camelTracer.getSpanLifecycleManager() == null) {
            return;
        }
        SpanLifecycleManager current = camelTracer.getSpanLifecycleManager();
        // a reloaded beans file installs again: wrap Camel's, not the previous wrapper
        camel = current instanceof ConversationSpans previous ? previous.camel : current;
        // the same OpenTelemetry camel-opentelemetry2 found: a registry bean, else the global one (TracingStart)
        tracer = CamelContextHelper.findSingleByType(camelContext, Tracer.class);
        if (tracer == null) {
            tracer = GlobalOpenTelemetry.get().getTracer("camel");
        }
        propagators = CamelContextHelper.findSingleByType(camelContext, ContextPropagators.class);
        if (propagators == null) {
            propagators = GlobalOpenTelemetry.get().getPropagators();
        }
        camelTracer.setSpanLifecycleManager(this);
    }

    @Override
    public Span create(String spanName, Span parent, SpanContextPropagationExtractor extractor) {
        SpanBuilder builder = tracer.spanBuilder(spanName);
        Baggage baggage;
        if (parent instanceof GatewaySpan p) {
            Context trigger = triggerContext(extractor, p);
            if (trigger != null) {
                builder.setParent(trigger).addLink(p.otel.getSpanContext());
            } else {
                builder.setParent(Context.current().with(p.otel));
            }
            baggage = p.baggage;
        } else {
            // the first span of an exchange continues the caller's trace (W3C traceparent on the trigger)
            Context upstream = propagators.getTextMapPropagator().extract(Context.root(), extractor, HEADERS);
            builder.setParent(upstream);
            baggage = Baggage.fromContext(upstream);
        }
        Object conversationId = extractor == null ? null : extractor.get(CONVERSATION_HEADER);
        if (conversationId instanceof String id && !id.isBlank()) {
            builder.setAttribute(CONVERSATION_ATTRIBUTE, id);
        }
        return new GatewaySpan(builder.startSpan(), baggage);
    }

    /** The trigger's span named on the exchange, unless the span already runs in its trace (or none is named). */
    private static Context triggerContext(SpanContextPropagationExtractor extractor, GatewaySpan parent) {
        Object traceParent = extractor == null ? null : extractor.get(TRIGGER_TRACE_HEADER);
        if (!(traceParent instanceof String value)) {
            return null;
        }
        Context trigger = W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", value), MAP);
        SpanContext span = io.opentelemetry.api.trace.Span.fromContext(trigger).getSpanContext();
        if (!span.isValid() || span.getTraceId().equals(parent.otel.getSpanContext().getTraceId())) {
            return null;
        }
        return trigger;
    }

    @Override
    public void activate(Span span) {
        camel.activate(span);
    }

    @Override
    public void deactivate(Span span) {
        camel.deactivate(span);
    }

    @Override
    public void close(Span span) {
        camel.close(span);
    }

    @Override
    public void inject(Span span, SpanContextPropagationInjector injector, boolean includeTracing) {
        camel.inject(span, injector, includeTracing);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** camel-opentelemetry2's span, whose OpenTelemetry span this class can reach (for parents and links). */
    static final class GatewaySpan extends OpenTelemetrySpanAdapter {

        final io.opentelemetry.api.trace.Span otel;
        private final Baggage baggage;

        GatewaySpan(io.opentelemetry.api.trace.Span otel, Baggage baggage) {
            super(otel, baggage);
            this.otel = otel;
            this.baggage = baggage;
        }

        /** Camel records endpoint URLs (http.url is the raw one): no password or secret parameter of theirs. */
        @Override
        public void setTag(String key, String value) {
            super.setTag(key, sanitized(value));
        }

        private static String sanitized(String value) {
            if (value == null) {
                return null;
            }
            if (value.contains("://")) {
                return URISupport.sanitizeUri(value);
            }
            // a bare query (url.query): sanitized as the query of a URI
            return value.contains("=") ? URISupport.sanitizeUri("?" + value).substring(1) : value;
        }
    }
}
