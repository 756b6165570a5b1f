package io.genesysgateway.tracing;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code gateway.tracing-enabled}: starts the OpenTelemetry SDK, configured by the standard OTEL_* variables (or
 * -Dotel.* properties), as the global OpenTelemetry, before Camel configures itself; camel-opentelemetry2
 * ({@code camel.opentelemetry2.enabled}, same switch) then traces with it. No Java agent. Off: nothing is started.
 */
public final class TracingStart extends MainListenerSupport {

    public static final String ENABLED = "gateway.tracing-enabled";

    /**
     * The gateway's defaults, each overridden by its OTEL_* variable: traces only (metrics are Prometheus at
     * /observe/metrics), over OTLP http/protobuf (port 4318; the JDK's HTTP client has no gRPC).
     */
    static final Map<String, String> DEFAULTS = Map.of(
            "otel.service.name", "genesys-gateway",
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");

    private static final Logger LOG = LoggerFactory.getLogger(TracingStart.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        if (Boolean.parseBoolean(properties.resolveProperty(ENABLED).orElse("false").trim())) {
            start();
        }
    }

    /**
     * The SDK from OTEL_* (over {@link #DEFAULTS}), made global; it flushes its spans when the JVM exits.
     *
     * @throws ConfigurationException saying what is wrong with the OTEL_* settings, in one line
     */
    static void start() {
        AtomicReference<ConfigProperties> used = new AtomicReference<>();
        try {
            AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> DEFAULTS)
                    .addPropertiesCustomizer(config -> {
                        if ("grpc".equals(config.getString("otel.exporter.otlp.traces.protocol",
                                config.getString("otel.exporter.otlp.protocol")))) {
                            throw new ConfigurationException("OTLP over gRPC is not included: set"
                                    + " OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (the collector's port 4318)");
                        }
                        used.set(config);
                        return Map.of();
                    })
                    .setResultAsGlobal()
                    .build();
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new ConfigurationException("tracing is on (gateway.tracing-enabled) but the OTEL_* settings are not"
                    + " usable: " + cause.getMessage());
        }
        ConfigProperties config = used.get();
        String exporter = config.getString("otel.traces.exporter", "otlp");
        String to = exporter.equals("otlp") ? " at " + URISupport.sanitizeUri(config.getString(
                "otel.exporter.otlp.traces.endpoint", config.getString("otel.exporter.otlp.endpoint", "http://localhost:4318"))) : "";
        LOG.info("Tracing on: service {}, spans exported by {}{}", config.getString("otel.service.name"), exporter, to);
    }
}
