package io.genesysgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.spi.PropertiesComponent;

/** The settings without which the gateway cannot do its job, checked before anything starts. */
public final class StartupCheck {

    static final List<String> REQUIRED = List.of("genesys.client-id", "genesys.client-secret", "genesys.login-url",
            "genesys.api-url", "history.url");

    /** Settings earlier versions read, and what took their place: a user who still sets one is told, not ignored. */
    static final Map<String, String> RETIRED = Map.of(
            "history.max-attempts", "records are retried until history.max-age-seconds (HISTORY_MAX_AGE_SECONDS)",
            "reconcile.delay-seconds", "use reconcile.after-gap-seconds (RECONCILE_AFTER_GAP_SECONDS)",
            "genesys.api-max-attempts", "use genesys.api-retries (GENESYS_API_RETRIES), the attempts after the first");

    private StartupCheck() {
    }

    /** One line per retired setting that is still set; the gateway starts regardless. */
    public static List<String> retiredSettings(PropertiesComponent properties) {
        List<String> lines = new ArrayList<>();
        RETIRED.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(retired -> {
            if (properties.resolveProperty(retired.getKey()).isPresent()) {
                lines.add(retired.getKey() + " (" + envName(retired.getKey()) + ") is no longer read: " + retired.getValue());
            }
        });
        return lines;
    }

    /** One line naming the first missing setting and how to set it, or null when all is well. */
    public static String problem(PropertiesComponent properties) {
        for (String key : REQUIRED) {
            String value = properties.resolveProperty(key).orElse("");
            if (value.isBlank()) {
                return key + " is not set (set " + envName(key) + " or -D" + key + "=...)";
            }
        }
        boolean authEnabled = !"false".equalsIgnoreCase(properties.resolveProperty("gateway.auth-enabled").orElse("true").trim());
        if (authEnabled && properties.resolveProperty("gateway.api-key").orElse("").isBlank()) {
            return "gateway.api-key is not set (set GATEWAY_API_KEY, or GATEWAY_AUTH_ENABLED=false to run the API"
                    + " without authentication)";
        }
        String cluster = clusterProblem(properties.resolveProperty("cluster.zookeeper").orElse(""),
                properties.resolveProperty("store.url").orElse(""));
        if (cluster != null) {
            return cluster;
        }
        return routesProblem(properties.resolveProperty("gateway.routes-dir").orElse("classpath:routes").trim(),
                "true".equalsIgnoreCase(properties.resolveProperty("camel.main.routes-reload-enabled").orElse("false").trim()));
    }

    /** Instances of a cluster share one store: the embedded SQLite file belongs to one process on one host. */
    static String clusterProblem(String zookeeper, String storeUrl) {
        if (zookeeper.isBlank() || storeUrl.trim().startsWith("jdbc:postgresql:")) {
            return null;
        }
        return "cluster.zookeeper (CLUSTER_ZOOKEEPER) is set but the store is "
                + (storeUrl.isBlank() ? "the embedded SQLite file" : "not PostgreSQL")
                + ": the instances of a cluster share one PostgreSQL (set STORE_URL=jdbc:postgresql://host:5432/db)";
    }

    /** Camel reads a location without a scheme from the classpath, so a bare folder would load no route at all. */
    static String routesProblem(String routesDir, boolean reload) {
        if (routesDir.startsWith("file:")) {
            Path folder = Path.of(routesDir.substring("file:".length()));
            if (!Files.isDirectory(folder)) {
                return "routes folder '" + folder + "' not found from " + Path.of("").toAbsolutePath()
                        + " (GATEWAY_ROUTES_DIR)";
            }
        } else if (!routesDir.startsWith("classpath:")) {
            return "gateway.routes-dir '" + routesDir + "' must start with file: (a folder, e.g. GATEWAY_ROUTES_DIR=file:"
                    + Path.of(routesDir).toAbsolutePath() + ") or classpath: (the routes inside the jar)";
        } else if (reload) {
            return "route reload (camel.main.routes-reload-enabled) watches a folder: set GATEWAY_ROUTES_DIR=file:/path/to/routes";
        }
        return null;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
