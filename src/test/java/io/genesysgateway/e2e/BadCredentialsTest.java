package io.genesysgateway.e2e;

import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import static org.awaitility.Awaitility.await;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A wrong client secret is reported once and clearly, readiness says why, and there is no token-request loop. */
class BadCredentialsTest extends GatewayTestSupport {

    private static final String WRONG_SECRET = "not-the-secret-42";

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("genesys.client-secret", WRONG_SECRET);
    }

    @Test
    void badCredentialsAreReportedOnceWithoutALoop() throws Exception {
        for (int i = 0; i < 5; i++) {
            String id = newConversationId();
            var response = post("/customers/supportInteraction", new JsonObject().put("conversationId", id).encode());
            assertThat(response.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> new JsonObject(get("/customers/supportInteraction/" + id).body())
                    .getString("state").equals("failed"));
            String status = get("/customers/supportInteraction/" + id).body();
            assertThat(status).contains("invalid_client").contains("genesys.client-secret").doesNotContain(WRONG_SECRET);
        }
        assertThat(simulator.requests(r -> r.path().equals("/oauth/token"))).as("one token request, then back-off").hasSize(1);
        assertThat(LogCapture.errors().stream().filter(l -> l.contains("Cannot get a Genesys access token"))).hasSize(1);
        assertThat(String.join("\n", LogCapture.lines())).doesNotContain(WRONG_SECRET);

        var ready = get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("invalid_client");
    }
}
