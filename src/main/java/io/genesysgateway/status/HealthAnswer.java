package io.genesysgateway.status;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genesysgateway.http.ApiKeyCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code GET /observe/health}, {@code /observe/health/live}, {@code /observe/health/ready}: 200 UP or 503 DOWN.
 * Open to probes, so without the API key it says only what a probe needs: the status and, for each check that is
 * DOWN, its name and reason, with URLs, file paths and channel ids masked (the routes' own checks, whose names carry
 * channel ids, are summed up as one {@code routes} entry). With the key, or {@code gateway.health-details-open=true}
 * (a private port), every check with its details. Replaces Camel's management health endpoint, whose query
 * parameters ({@code exposureLevel=full}, {@code data}, {@code stackTrace}) gave anyone every detail.
 */
public class HealthAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s,;)\"']+");
    private static final Pattern CHANNEL = Pattern.compile("streaming-[A-Za-z0-9-]+");
    private static final Pattern PATH = Pattern.compile("(?<![\\w.-])(?:[A-Za-z]:)?[/\\\\](?:[\\w.-]+[/\\\\])+[\\w.-]*");

    private final CamelContext context;
    private final ApiKeyCheck keys;
    private final boolean detailsOpen;

    public HealthAnswer(CamelContext context, ApiKeyCheck keys, boolean detailsOpen) {
        this.context = context;
        this.keys = keys;
        this.detailsOpen = detailsOpen;
    }

    /** Which of the three checks a path asks for, or null when it is not a health path. */
    public static String kind(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return switch (p) {
            case "/observe/health" -> "all";
            case "/observe/health/live" -> "live";
            case "/observe/health/ready" -> "ready";
            default -> null;
        };
    }

    /** The status code and JSON body; {@code refusal} is the API gate's ("starting", "stopping" or null). */
    public Answer answer(String kind, String refusal, String apiKeyHeader, String authorizationHeader) {
        boolean full = detailsOpen || keys.accepts(apiKeyHeader, authorizationHeader);
        Map<String, Object> body = new LinkedHashMap<>();
        if ("stopping".equals(refusal) || !context.isStarted()) {
            String why = "stopping".equals(refusal) ? "the gateway is stopping" : "the gateway is starting";
            body.put("status", "DOWN");
            body.put("checks", List.of(Map.of("name", "gateway", "status", "DOWN", "message", why)));
            return new Answer(503, json(body));
        }
        // every result, whatever camel.health.exposure-level says: what may be shown is decided here
        Collection<HealthCheck.Result> results = switch (kind) {
            case "live" -> HealthCheckHelper.invokeLiveness(context, "full");
            case "ready" -> HealthCheckHelper.invokeReadiness(context, "full");
            default -> HealthCheckHelper.invoke(context, "full");
        };
        boolean up = results.stream().noneMatch(r -> r.getState() == HealthCheck.State.DOWN);
        body.put("status", up ? "UP" : "DOWN");
        List<Map<String, Object>> checks = new ArrayList<>();
        int routesDown = 0;
        for (HealthCheck.Result result : results) {
            String id = result.getCheck().getId();
            if (full) {
                checks.add(describe(result));
            } else if (result.getState() == HealthCheck.State.DOWN) {
                if (id.startsWith("route:") || id.startsWith("consumer:")) {
                    routesDown++;
                } else {
                    Map<String, Object> check = new LinkedHashMap<>();
                    check.put("name", id);
                    check.put("status", "DOWN");
                    result.getMessage().ifPresent(m -> check.put("message", mask(m)));
                    checks.add(check);
                }
            }
        }
        if (routesDown > 0) {
            checks.add(Map.of("name", "routes", "status", "DOWN", "message", routesDown + " route check(s) DOWN"));
        }
        if (!checks.isEmpty()) {
            body.put("checks", checks);
        }
        return new Answer(up ? 200 : 503, json(body));
    }

    private static Map<String, Object> describe(HealthCheck.Result result) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("name", result.getCheck().getId());
        check.put("status", result.getState().name());
        result.getMessage().ifPresent(m -> check.put("message", m));
        result.getError().ifPresent(e -> check.put("error", e.getClass().getName() + ": " + e.getMessage()));
        if (result.getDetails() != null && !result.getDetails().isEmpty()) {
            Map<String, String> details = new TreeMap<>();
            result.getDetails().forEach((k, v) -> details.put(k, String.valueOf(v)));
            check.put("details", details);
        }
        return check;
    }

    /** A reason as an open endpoint may say it: no URLs, file paths or channel ids. */
    static String mask(String message) {
        String out = URL.matcher(message).replaceAll("<url>");
        out = CHANNEL.matcher(out).replaceAll("<channel>");
        return PATH.matcher(out).replaceAll("<path>");
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HTTP status and JSON body. */
    public record Answer(int status, String body) {
    }
}
