package io.genesysgateway.e2e;

import java.net.http.HttpResponse;
import java.util.stream.Stream;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad triggers get a clear JSON error, subscribe nothing, track nothing and log nothing at ERROR. */
class BadTriggerTest extends GatewayTestSupport {

    static Stream<Arguments> badTriggers() {
        String valid = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
        return Stream.of(
                Arguments.of("id that would change the topic", "{\"conversationId\":\"x.acw\"}", 400, "UUID"),
                Arguments.of("wildcard id", "{\"conversationId\":\"*\"}", 400, "UUID"),
                Arguments.of("uuid with a topic suffix", "{\"conversationId\":\"" + valid + ".acw\"}", 400, "UUID"),
                Arguments.of("uuid with a dot inside", "{\"conversationId\":\"3fa85f64.5717-4562-b3fc-2c963f66afa6\"}", 400, "UUID"),
                Arguments.of("uuid with spaces", "{\"conversationId\":\" " + valid + "\"}", 400, "UUID"),
                Arguments.of("missing field", "{\"customerId\":\"C-1\"}", 400, "missing"),
                Arguments.of("null id", "{\"conversationId\":null}", 400, "missing"),
                Arguments.of("number id", "{\"conversationId\":12345}", 400, "must be a string"),
                Arguments.of("object id", "{\"conversationId\":{\"id\":\"" + valid + "\"}}", 400, "must be a string"),
                Arguments.of("array body", "[\"" + valid + "\"]", 400, "JSON object"),
                Arguments.of("malformed JSON", "{\"conversationId\":\"" + valid + "\"", 400, "not valid JSON"),
                Arguments.of("trailing garbage", "{\"conversationId\":\"" + valid + "\"} x", 400, "not valid JSON"),
                Arguments.of("duplicate key", "{\"conversationId\":\"" + valid + "\",\"conversationId\":\"x\"}", 400,
                        "not valid JSON"),
                Arguments.of("empty body", "", 400, "empty"),
                Arguments.of("oversized body", "{\"conversationId\":\"" + valid + "\",\"notes\":\"" + "x".repeat(20_000)
                        + "\"}", 413, "limit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTriggers")
    void isRefusedWithAJsonErrorAndChangesNothing(String what, String body, int status, String mentions) throws Exception {
        int requestsBefore = simulator.requests().size();

        HttpResponse<String> response = post("/customers/supportInteraction", body);

        assertThat(response.statusCode()).as(what).isEqualTo(status);
        JsonObject error = new JsonObject(response.body());
        assertThat(error.getString("error")).isEqualTo("invalid trigger");
        assertThat(error.getString("message")).containsIgnoringCase(mentions);
        assertThat(simulator.requests()).as("no call to Genesys").hasSize(requestsBefore);
        assertThat(simulator.allTopics()).isEmpty();
        assertThat(status().getJsonObject("conversations").getMap().values()).allMatch(n -> ((Number) n).intValue() == 0);
        assertThat(LogCapture.errors()).isEmpty();
    }
}
