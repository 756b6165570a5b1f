package io.genesysgateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What Camel records of an endpoint URL (http.url is the raw endpoint URI) keeps no password or secret parameter. */
class GatewaySpanTest {

    @Test
    void urlAttributesLoseTheirSecrets() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
            ConversationSpans.GatewaySpan span = new ConversationSpans.GatewaySpan(
                    provider.get("test").spanBuilder("POST").startSpan(), null);
            span.setTag("http.url", "http://history:s3cret-pw@history.example:8080/records?token=t0k3n&apiKey=k3y&tenant=acme");
            span.setTag("url.query", "password=p4ss&okStatusCodeRange=200-499");
            span.setTag("url.path", "records");
            span.setComponent("camel-http");
            // Camel's lifecycle would end it
            span.otel.end();
            provider.forceFlush();
            var attributes = exporter.getFinishedSpanItems().get(0).getAttributes();
            String url = attributes.get(AttributeKey.stringKey("http.url"));
            String query = attributes.get(AttributeKey.stringKey("url.query"));
            System.out.println("http.url recorded as " + url + "; url.query as " + query);
            assertThat(url).doesNotContain("s3cret-pw", "t0k3n", "k3y").contains("history.example:8080/records", "tenant=acme");
            assertThat(query).doesNotContain("p4ss").contains("okStatusCodeRange=200-499");
            assertThat(attributes.get(AttributeKey.stringKey("url.path"))).isEqualTo("records");
        }
    }
}
