package io.genesysgateway.history;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.ResourceHelper;

/**
 * Applies the JSONata mapping ({@code history.mapping}) to an ACW event and its context. The mapping reads
 * {@code event} (the ACW event body), {@code context} (the trigger's other fields), {@code source} ({@code live} or
 * {@code reconciled}), {@code topicName} and {@code correlationId}; the mapping, not this class, decides the record's shape. The camel-jsonata
 * endpoint reads and compiles the template for every message, which capped delivery well below the history
 * service's capacity; this keeps the compiled template (one per delivery thread, as a compiled expression is not
 * documented as thread-safe) and compiles again only when the file changes, so an edit still applies to the
 * next record without a restart.
 */
public class HistoryRecordMapper implements CamelContextAware {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private String mapping;
    private final ThreadLocal<Compiled> compiled = new ThreadLocal<>();

    private record Compiled(long stamp, Jsonata expression) {
    }

    /**
     * The history record for an ACW notification (JSON, as received or as rebuilt by reconciliation), its
     * conversation's context and its source ({@code live} or {@code reconciled}), as JSON text.
     */
    public String map(String envelopeJson, Map<String, Object> context, String source) throws Exception {
        Map<String, Object> envelope = JSON.readValue(envelopeJson, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("source", source);
        input.put("event", envelope.getOrDefault("eventBody", new LinkedHashMap<>()));
        input.put("context", context == null ? new LinkedHashMap<>() : context);
        input.put("topicName", envelope.get("topicName"));
        input.put("correlationId", envelope.get("metadata") instanceof Map<?, ?> m ? m.get("CorrelationId") : null);
        long stamp = stamp();
        Compiled c = compiled.get();
        if (c == null || c.stamp() != stamp) {
            String spec;
            try (var in = ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, mapping)) {
                spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            c = new Compiled(stamp, Jsonata.jsonata(spec));
            compiled.set(c);
        }
        // every value is already plain JSON (maps, lists, strings, numbers), as read by Jackson
        return JSON.writeValueAsString(c.expression().evaluate(input));
    }

    private long stamp() throws Exception {
        if (mapping.startsWith("file:")) {
            return Files.getLastModifiedTime(Path.of(mapping.substring(5))).toMillis();
        }
        return 0; // classpath and other resources do not change while running
    }

    public void setMapping(String mapping) {
        this.mapping = mapping;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
