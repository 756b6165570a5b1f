package io.genesysgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.camel.spi.PropertiesComponent;

/** The settings without which the gateway cannot do its job, checked before anything starts. */
public final class StartupCheck {

    static final List<String> REQUIRED = List.of("genesys.client-id", "genesys.client-secret", "genesys.login-url",
            "genesys.api-url", "history.url");

    private StartupCheck() {
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
        String routesDir = properties.resolveProperty("gateway.routes-dir").orElse("src/main/routes");
        if (!Files.isDirectory(Path.of(routesDir))) {
            return "routes folder '" + routesDir + "' not found from " + Path.of("").toAbsolutePath()
                    + " (start from the project root or set GATEWAY_ROUTES_DIR)";
        }
        return null;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
