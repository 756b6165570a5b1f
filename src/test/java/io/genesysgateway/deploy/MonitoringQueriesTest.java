package io.genesysgateway.deploy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.simulator.AcwEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric an alert rule (deploy/prometheus/alerts.yaml) or a dashboard panel (deploy/grafana/genesys-gateway.json)
 * queries is one a running gateway serves at /observe/metrics: a renamed metric shows up here, not as an alert that
 * silently never fires or an empty panel.
 */
class MonitoringQueriesTest extends GatewayTestSupport {

    static final Path ALERTS = Path.of("deploy/prometheus/alerts.yaml");
    static final Path DASHBOARD = Path.of("deploy/grafana/genesys-gateway.json");
    /** Series Prometheus makes itself, not the gateway. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void everyQueriedMetricIsServed() throws Exception {
        // counters with labels appear on their first increment: one conversation delivered brings them out
        String id = newConversationId();
        trackAndAwaitSubscription(id, new JsonObject());
        simulator.emitAcw(AcwEvent.sample(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.forConversation(id).size() == 1);
        Map<String, Set<String>> served = await().atMost(Duration.ofSeconds(20)).until(this::servedMetrics,
                metrics -> metrics.containsKey("genesys_gateway_deliveries_total"));

        Map<String, String> expressions = new TreeMap<>();
        alertExpressions().forEach((alert, expr) -> expressions.put("alert " + alert, expr));
        dashboardExpressions().forEach((panel, expr) -> expressions.put("panel " + panel, expr));
        Map<String, Set<String>> queried = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        expressions.forEach((where, expr) -> {
            Set<String> names = metricNames(expr);
            queried.put(where, names);
            Set<String> labels = new TreeSet<>(Set.of("instance", "job")); // Prometheus adds them when it scrapes
            for (String name : names) {
                if (!served.containsKey(name) && !PROMETHEUS_OWN.contains(name)) {
                    missing.add(where + ": metric " + name);
                }
                labels.addAll(served.getOrDefault(name, Set.of()));
            }
            labelNames(expr).stream().filter(l -> !labels.contains(l)).forEach(l -> missing.add(where + ": label " + l));
        });
        System.out.printf("MONITORING %d alert rules and panel queries use %d distinct metrics; the gateway serves %d%n",
                queried.size(), queried.values().stream().flatMap(Set::stream).distinct().count(), served.size());
        assertThat(missing).as("queried metrics and labels the gateway does not serve").isEmpty();
        assertThat(queried).as("every rule and panel queries something").allSatisfy((w, n) -> assertThat(n).isNotEmpty());
        // the rules cover what the deployment promises to alert on
        assertThat(queried.keySet()).contains("alert GenesysGatewayDeadLetters", "alert GenesysGatewayNotReady",
                "alert GenesysGatewaySocketGaps", "alert GenesysGatewayHistoryFailing",
                "alert GenesysGatewayChannelCapacityNearCeiling", "alert GenesysGatewayTokenNotRenewed");
    }

    @Test
    void theNameExtractionSeesMetricsNotFunctionsOrLabels() {
        assertThat(metricNames("sum by (state) (rate(genesys_gateway_frames_total{kind=\"acw\",instance=~\"$instance\"}[$__rate_interval]))"
                + " / on(instance) group_left genesys_gateway_topics_capacity > 0.8"))
                .containsExactlyInAnyOrder("genesys_gateway_frames_total", "genesys_gateway_topics_capacity");
        assertThat(metricNames("label_values(genesys_gateway_ready, instance)")).containsExactly("genesys_gateway_ready");
        assertThat(labelNames("sum by (state, instance) (x{area=\"heap\",kind!~\"a,b\"})"))
                .containsExactlyInAnyOrder("state", "instance", "area", "kind");
    }

    /**
     * Series names in the Prometheus text (a counter's {@code _total}, as queries use them), each with its label
     * names.
     */
    private Map<String, Set<String>> servedMetrics() throws Exception {
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gatewayPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        Map<String, Set<String>> served = new TreeMap<>();
        metrics.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
            String[] parts = l.split("[{ ]", 2);
            Set<String> labels = served.computeIfAbsent(parts[0], n -> new TreeSet<>());
            if (l.charAt(parts[0].length()) == '{') {
                Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(l.substring(0, l.lastIndexOf('}')));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        });
        return served;
    }

    /** Label names an expression matches on or groups by. */
    static Set<String> labelNames(String expr) {
        Set<String> labels = new TreeSet<>();
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        Matcher matchers = Pattern.compile("\\{([^}]*)}").matcher(s);
        while (matchers.find()) {
            for (String matcher : matchers.group(1).split(",")) {
                if (!matcher.isBlank()) {
                    labels.add(matcher.split("[=!~]", 2)[0].trim());
                }
            }
        }
        Matcher lists = LABEL_LIST.matcher(s);
        while (lists.find()) {
            String list = lists.group().substring(lists.group().indexOf('(') + 1, lists.group().length() - 1);
            for (String label : list.split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> alertExpressions() throws Exception {
        Map<String, Object> file = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ALERTS));
        Map<String, String> exprs = new TreeMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                exprs.put(String.valueOf(rule.getOrDefault("alert", rule.get("record"))), String.valueOf(rule.get("expr")));
            }
        }
        return exprs;
    }

    /** Panel title (or variable name) to each of its queries; a title with several queries is numbered. */
    static Map<String, String> dashboardExpressions() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        Map<String, String> exprs = new TreeMap<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonObject panel = (JsonObject) p;
            JsonArray targets = panel.getJsonArray("targets", new JsonArray());
            for (int i = 0; i < targets.size(); i++) {
                exprs.put(panel.getString("title") + " #" + (i + 1), targets.getJsonObject(i).getString("expr"));
            }
        }
        for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if ("query".equals(variable.getString("type"))) {
                exprs.put("variable $" + variable.getString("name"), variable.getString("definition"));
            }
        }
        return exprs;
    }

    /** Metric names in a PromQL expression: what is left once strings, matchers, ranges, label lists and functions are gone. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        // label_values(metric, label): the label is not a metric
        s = s.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group();
            boolean function = s.substring(m.end()).stripLeading().startsWith("(");
            boolean partOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            boolean templateVariable = m.start() > 0 && s.charAt(m.start() - 1) == '$';
            if (!function && !partOfNumber && !templateVariable && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
