package io.genesysgateway.e2e;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.SimulatorSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The API key guards the HTTP API; health and metrics stay open for probes and Prometheus. */
class ObservabilityTest extends GatewayTestSupport {

    @Override
    protected SimulatorSettings simulatorSettings() {
        return SimulatorSettings.defaults().withHeartbeatIntervalMillis(200);
    }

    @Test
    void theApiNeedsTheKey() throws Exception {
        String body = new JsonObject().put("conversationId", newConversationId()).encode();
        HttpResponse<String> missing = raw(HttpRequest.newBuilder(uri("/customers/supportInteraction"))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("unauthorized");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

        HttpResponse<String> wrong = raw(HttpRequest.newBuilder(uri("/customers/supportInteraction"))
                .header("X-API-Key", "guess").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain(API_KEY);

        assertThat(raw(HttpRequest.newBuilder(uri("/status"))).statusCode()).isEqualTo(401);
        assertThat(raw(HttpRequest.newBuilder(uri("/customers/supportInteraction/" + newConversationId()))).statusCode())
                .isEqualTo(401);
        assertThat(simulator.allTopics()).as("nothing was subscribed").isEmpty();

        HttpResponse<String> bearer = raw(HttpRequest.newBuilder(uri("/customers/supportInteraction"))
                .header("Authorization", "Bearer " + API_KEY).POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(bearer.statusCode()).isEqualTo(202);
    }

    @Test
    void prometheusMetricsShowTheDomainPicture() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.forConversation(id).size() == 1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> metrics = raw(HttpRequest.newBuilder(uri("/observe/metrics")));
            assertThat(metrics.statusCode()).isEqualTo(200);
            String text = metrics.body();
            // delivered, or already closed as completed once analytics confirmed the end (no linger in tests)
            assertThat(text).containsPattern("genesys_gateway_conversations\\{state=\"(delivered|completed)\"} 1.0");
            assertThat(text).contains("genesys_gateway_records_stored_total{source=\"live\"} 1.0");
            assertThat(text).contains("genesys_gateway_outbox_pending 0.0");
            assertThat(text).containsPattern("genesys_gateway_frames_total\\{kind=\"heartbeat\"} [1-9]");
            assertThat(text).contains("genesys_gateway_frames_total{kind=\"acw\"} 1.0");
            assertThat(text).contains("genesys_gateway_deliveries_total{outcome=\"ok\"} 1.0");
            assertThat(text).contains("genesys_gateway_channels ");
            assertThat(text).contains("genesys_gateway_sockets_open ");
            assertThat(text).containsPattern("genesys_gateway_genesys_api_calls_total\\{status=\"200\"} [1-9]");
            assertThat(text).contains("genesys_gateway_token_renewals_total");
            assertThat(text).contains("genesys_gateway_seconds_since_last_frame");
            assertThat(text).contains("camel_exchanges_total");
            // what the alert rules read (deploy/prometheus/alerts.yaml)
            assertThat(text).contains("genesys_gateway_ready 1.0");
            assertThat(text).contains("genesys_gateway_history_failing 0.0");
            assertThat(text).contains("genesys_gateway_topics_capacity 19000.0");
            assertThat(text).contains("genesys_gateway_token_valid 1.0");
            assertThat(text).doesNotContain(SimulatorSettings.CLIENT_SECRET);
        });
        HttpResponse<String> ready = raw(HttpRequest.newBuilder(uri("/observe/health/ready")));
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gatewayPort + path);
    }

    private HttpResponse<String> raw(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
