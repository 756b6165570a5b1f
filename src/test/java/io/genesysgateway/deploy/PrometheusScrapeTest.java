package io.genesysgateway.deploy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus (Debian's {@code prometheus} package, on loopback) scrapes a running gateway with the alert rules
 * loaded: every rule evaluates without error, none fires on a healthy gateway, and every dashboard query runs in
 * Prometheus' own PromQL engine and returns series (promtool checks the rules, nothing else checks the dashboard's
 * queries). .ci/run installs the package and sets REQUIRE_PROMTOOL=1, so CI never skips this.
 */
class PrometheusScrapeTest extends GatewayTestSupport {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @Test
    void prometheusScrapesTheGatewayEvaluatesTheRulesAndAnswersEveryPanel(@TempDir Path dir) throws Exception {
        if (System.getenv("REQUIRE_PROMTOOL") == null) {
            Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed (apt-get install prometheus)");
        }
        // every labelled counter a panel shows exists once a conversation went through
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.copy(MonitoringQueriesTest.ALERTS, dir.resolve("alerts.yaml"));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [alerts.yaml]
                scrape_configs:
                  - job_name: genesys-gateway
                    metrics_path: /observe/metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(gatewayPort));
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        try {
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    query(base, "up{job=\"genesys-gateway\"} == 1").size() == 1
                            // enough samples for rate() over the panels' window
                            && Double.parseDouble(query(base, "count_over_time(genesys_gateway_ready[1m])")
                            .getJsonObject(0).getJsonArray("value").getString(1)) >= 5);
            System.out.printf("PROMETHEUS scraping the gateway after %d ms%n", (System.nanoTime() - started) / 1_000_000);

            // every rule was evaluated, without error; a healthy gateway fires none
            List<String> problems = new ArrayList<>();
            JsonArray groups = get(base, "/api/v1/rules").getJsonObject("data").getJsonArray("groups");
            int rules = 0;
            for (Object g : groups) {
                for (Object r : ((JsonObject) g).getJsonArray("rules")) {
                    JsonObject rule = (JsonObject) r;
                    rules++;
                    if (!"ok".equals(rule.getString("health"))) {
                        problems.add(rule.getString("name") + ": " + rule.getString("health") + " " + rule.getString("lastError"));
                    }
                    if ("firing".equals(rule.getString("state"))) {
                        problems.add(rule.getString("name") + " fires on a healthy gateway");
                    }
                }
            }
            assertThat(rules).isEqualTo(MonitoringQueriesTest.alertExpressions().size());

            // every panel's query as Grafana sends it, with its variables filled in
            Map<String, String> panels = MonitoringQueriesTest.dashboardExpressions();
            for (Map.Entry<String, String> panel : panels.entrySet()) {
                if (panel.getKey().startsWith("variable ")) {
                    continue; // label_values() is Grafana's, not PromQL; its metric is checked by MonitoringQueriesTest
                }
                String expr = panel.getValue().replace("$__rate_interval", "1m").replace("$instance", ".*");
                try {
                    if (query(base, expr).isEmpty()) {
                        problems.add(panel.getKey() + ": no series for " + expr);
                    }
                } catch (AssertionError e) {
                    problems.add(panel.getKey() + ": " + e.getMessage());
                }
            }
            System.out.printf("PROMETHEUS %d rules evaluated, %d panel queries answered%n", rules, panels.size() - 1);
            assertThat(problems).as("Prometheus' verdict (log: " + dir.resolve("prometheus.log") + ")").isEmpty();
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    /** The result of an instant query; fails on a query Prometheus refuses. */
    private JsonArray query(String base, String expr) throws Exception {
        JsonObject answer = get(base, "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        assertThat(answer.getString("status")).as(expr + ": " + answer.getString("error")).isEqualTo("success");
        return answer.getJsonObject("data").getJsonArray("result");
    }

    private JsonObject get(String base, String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }
}
