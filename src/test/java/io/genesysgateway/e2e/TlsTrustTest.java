package io.genesysgateway.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.sink.SelfSignedCertificate;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History over HTTPS with a private CA: two sinks, each with its own self-signed certificate; the gateway trusts
 * only the first (camel.ssl.trust-store). Records reach the trusted one; the other fails certificate checks.
 */
class TlsTrustTest extends GatewayTestSupport {

    private static HistorySink trusted;
    private static HistorySink untrusted;

    @Override
    protected void gatewayProperties(Properties p) {
        Path dir = createTempDir();
        SelfSignedCertificate good = SelfSignedCertificate.create(dir, "trusted");
        SelfSignedCertificate other = SelfSignedCertificate.create(dir, "untrusted");
        trusted = new HistorySink().startTls(good.keyStore(), good.password());
        untrusted = new HistorySink().startTls(other.keyStore(), other.password());
        p.put("history.url", trusted.url());
        // as an operator would: JVM system properties (this test class has a JVM of its own)
        System.setProperty("camel.ssl.enabled", "true");
        System.setProperty("camel.ssl.trustStore", "file:" + good.trustStore().toAbsolutePath());
        System.setProperty("camel.ssl.trustStorePassword", good.password());
    }

    private static Path createTempDir() {
        try {
            return java.nio.file.Files.createTempDirectory("gateway-tls");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stopTlsSinks() {
        trusted.close();
        untrusted.close();
    }

    @Test
    void recordsGoToATrustedHttpsHistoryService() throws Exception {
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(15)).until(() -> trusted.forConversation(id).size() == 1);
    }

    @Test
    void certificatesAreVerified() {
        Exception refused = null;
        try {
            template.requestBodyAndHeader(untrusted.url(), "{}", "CamelHttpMethod", "POST");
        } catch (Exception e) {
            refused = e;
        }
        assertThat(refused).as("a certificate outside the trust store is refused").isNotNull();
        assertThat(untrusted.received()).isEmpty();
    }
}
