package io.genesysgateway.tracing;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * {@code OTEL_TRACES_EXPORTER=memory} (-Dotel.traces.exporter=memory): the spans stay in this JVM for the test to read,
 * through the same autoconfiguration a user's OTLP exporter goes through.
 */
public class MemorySpanExporter implements ConfigurableSpanExporterProvider {

    public static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    @Override
    public SpanExporter createExporter(ConfigProperties config) {
        return SPANS;
    }

    @Override
    public String getName() {
        return "memory";
    }
}
