package io.genesysgateway.history;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The default mapping (src/main/routes/history-record.jsonata) applied to an ACW notification. */
class HistoryRecordMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFieldOfTheEventIsInTheRecordAndLongTimesStayExact() throws Exception {
        HistoryRecordMapper mapper = mapper();
        // past 2^31 and past 2^53 ms: a double or an int would change them
        String envelope = """
                {"topicName":"v2.detail.events.conversation.c1.acw","version":"2","eventBody":{
                  "eventTime":1764065085123,"conversationId":"c1","participantId":"p1","sessionId":"s1",
                  "mediaType":"CALLBACK","provider":"Edge","direction":"OUTBOUND","ani":"tel:+1","dnis":"tel:+2",
                  "addressTo":"tel:+2","addressFrom":"tel:+1","callbackUserName":"Ada","callbackNumbers":["tel:+1","tel:+3"],
                  "callbackScheduledTime":1764068685000,"subject":"Invoice","messageType":"SMS","userId":"u1","queueId":"q1",
                  "wrapupCode":"w1","wrapupNotes":"done","wrapupDurationMs":9007199254740993,
                  "conversationExternalContactIds":["ec1"],"conversationExternalOrganizationIds":["eo1"],
                  "utilizationLabel":"premium"},"metadata":{"CorrelationId":"k1"}}""";
        JsonNode record = JSON.readTree(mapper.map(envelope, Map.of("caseId", "C-1"), "live"));
        System.out.println("record: " + record);

        assertThat(record.path("eventTime").asText()).isEqualTo("2025-11-25T10:04:45.123Z");
        assertThat(record.path("callbackScheduledTime").asText()).isEqualTo("2025-11-25T11:04:45.000Z");
        assertThat(record.path("wrapupDurationMs").isIntegralNumber()).isTrue();
        assertThat(record.path("wrapupDurationMs").asLong()).isEqualTo(9007199254740993L);
        assertThat(record.path("callbackNumbers")).hasSize(2);
        assertThat(record.path("conversationExternalContactIds").get(0).asText()).isEqualTo("ec1");
        assertThat(record.path("utilizationLabel").asText()).as("a field Genesys added later").isEqualTo("premium");
        assertThat(record.path("source").asText()).isEqualTo("live");
        assertThat(record.path("context").path("caseId").asText()).isEqualTo("C-1");
        assertThat(record.size()).as("23 fields, one later field, source and context").isEqualTo(26);
    }

    @Test
    void whatTheEventDoesNotHaveIsNotInTheRecord() throws Exception {
        JsonNode record = JSON.readTree(mapper().map("""
                {"topicName":"t","eventBody":{"conversationId":"c1","participantId":"p1"}}""", Map.of(), "reconciled"));
        assertThat(record.has("eventTime")).isFalse();
        assertThat(record.has("callbackScheduledTime")).isFalse();
        assertThat(record.path("source").asText()).isEqualTo("reconciled");
        assertThat(record.size()).isEqualTo(4);
    }

    private static HistoryRecordMapper mapper() {
        HistoryRecordMapper mapper = new HistoryRecordMapper();
        mapper.setCamelContext(new DefaultCamelContext());
        mapper.setMapping("file:" + Path.of("src/main/routes/history-record.jsonata").toAbsolutePath());
        return mapper;
    }
}
