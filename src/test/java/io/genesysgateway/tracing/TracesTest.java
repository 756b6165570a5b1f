package io.genesysgateway.tracing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing switched on (gateway.tracing-enabled, the SDK from otel.* settings as from OTEL_* variables, spans kept in
 * memory): one conversation is one trace from the trigger, continuing the caller's traceparent, to the history POST,
 * whose request carries the W3C traceparent of that POST's span.
 */
class TracesTest extends GatewayTestSupport {

    private static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey(ConversationSpans.CONVERSATION_ATTRIBUTE);

    static {
        // what OTEL_TRACES_EXPORTER=memory and OTEL_BSP_SCHEDULE_DELAY=100 would say
        System.setProperty("otel.traces.exporter", "memory");
        System.setProperty("otel.bsp.schedule.delay", "100");
        // what GatewayApplication's TracingStart does with gateway.tracing-enabled before Camel configures itself (the
        // test's camel-main gives its listeners no context to read the setting from)
        TracingStart.start();
    }

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("gateway.tracing-enabled", "true");
    }

    @Test
    void aConversationIsOneTraceFromTheCallersTriggerToTheHistoryPost() throws Exception {
        String id = newConversationId();
        String callerTrace = hex(16);
        String callerSpan = hex(8);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatewayPort + "/customers/supportInteraction"))
                .header("Content-Type", "application/json").header("X-API-Key", API_KEY)
                .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("conversationId", id)
                        .put("caseId", "T-1").encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.headers().firstValue("traceparent")).as("nothing of the trace in the answer").isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> simulator.channelWithTopic(topicOf(id))
                .map(c -> c.hasOpenSocket()).orElse(false));

        assertThat(simulator.emitAcw(AcwEvent.sample(id))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        HistorySink.Received record = sink.forConversation(id).get(0);

        // the history request continues the caller's trace, from the span of the POST itself
        String traceparent = record.headers().get("traceparent");
        System.out.println("traceparent on the history request: " + traceparent);
        assertThat(traceparent).matches("00-" + callerTrace + "-[0-9a-f]{16}-01");
        assertThat(record.headers().keySet()).as("the gateway's own trace header stays inside")
                .noneMatch(h -> h.contains("gatewaytriggertrace"));
        String postSpanId = traceparent.split("-")[2];
        SpanData post = awaitSpan(s -> s.getSpanId().equals(postSpanId));
        assertThat(post.getTraceId()).isEqualTo(callerTrace);
        assertThat(post.getName()).isEqualTo("POST");
        assertThat(post.getAttributes().get(CONVERSATION)).isEqualTo(id);
        assertThat(post.getAttributes().get(AttributeKey.stringKey("http.url"))).isEqualTo(sink.url());

        // up its parents: the delivery joined the trigger's span, which continued the caller's
        Map<String, SpanData> callerSpans = spans().stream().filter(s -> s.getTraceId().equals(callerTrace))
                .collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        SpanData top = post;
        while (callerSpans.containsKey(top.getParentSpanId())) {
            top = callerSpans.get(top.getParentSpanId());
        }
        assertThat(top.getParentSpanId()).as("the trigger's first span is the caller's child").isEqualTo(callerSpan);
        assertThat(callerSpans.values()).as("the trigger's spans name the conversation")
                .anyMatch(s -> s.getName().equals("track-conversation") && id.equals(s.getAttributes().get(CONVERSATION)));

        // the POST links to the trace the wrap-up arrived in (the socket frame, its commit, the delivery queue)
        assertThat(post.getLinks()).hasSize(1);
        String acwTrace = post.getLinks().get(0).getSpanContext().getTraceId();
        assertThat(acwTrace).isNotEqualTo(callerTrace);
        assertThat(spans()).as("the wrap-up's trace").filteredOn(s -> s.getTraceId().equals(acwTrace))
                .extracting(SpanData::getName).contains("socket-frame", "acw-event", "history-delivery");

        // Genesys calls and the reconciliation that closes the conversation have their spans
        awaitSpan(s -> s.getName().equals("reconcile-batch"));
        assertThat(spans()).as("Genesys calls").filteredOn(s -> String.valueOf(s.getAttributes()
                        .get(AttributeKey.stringKey("http.url"))).startsWith(simulator.baseUrl()))
                .extracting(s -> s.getAttributes().get(AttributeKey.stringKey("http.url")))
                .anyMatch(u -> u.contains("/oauth/token"))
                .anyMatch(u -> u.contains("/api/v2/analytics/conversations/details"));

        printTraces(callerTrace, acwTrace);
    }

    @Test
    void noSecretBecomesASpanAttribute() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject().put("caseId", "S-1"));
        assertThat(simulator.emitAcw(AcwEvent.sample(id))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> sink.forConversation(id).size() == 1);
        awaitSpan(s -> id.equals(s.getAttributes().get(CONVERSATION)) && s.getName().equals("POST"));
        List<String> values = spans().stream().flatMap(s -> s.getAttributes().asMap().values().stream())
                .map(String::valueOf).toList();
        List<String> events = spans().stream().flatMap(s -> s.getEvents().stream())
                .flatMap(e -> e.getAttributes().asMap().values().stream()).map(String::valueOf).toList();
        System.out.printf("%d spans, %d attribute values, %d event values checked%n", spans().size(), values.size(),
                events.size());
        for (List<String> texts : List.of(values, events)) {
            assertThat(texts).noneMatch(v -> v.contains(SimulatorSettings.CLIENT_SECRET))
                    .noneMatch(v -> v.contains(API_KEY))
                    .noneMatch(v -> v.contains("Bearer ") || v.contains("Basic "));
        }
    }

    private static List<SpanData> spans() {
        return MemorySpanExporter.SPANS.getFinishedSpanItems();
    }

    private static SpanData awaitSpan(java.util.function.Predicate<SpanData> which) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> spans().stream().filter(which).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    private static void printTraces(String... traceIds) {
        for (String trace : traceIds) {
            System.out.println("trace " + trace + ":");
            spans().stream().filter(s -> s.getTraceId().equals(trace))
                    .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos))
                    .forEach(s -> System.out.printf("  %s %s parent=%s conversation=%s links=%d%n", s.getSpanId(),
                            s.getName(), s.getParentSpanId(), s.getAttributes().get(CONVERSATION), s.getLinks().size()));
        }
        System.out.println("span names seen: " + spans().stream().map(SpanData::getName)
                .collect(Collectors.toCollection(java.util.TreeSet::new)));
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
