package io.genesysgateway;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Starts the gateway with camel-main from any working directory: the settings, routes, mapping and migrations
 * built into the jar, an {@code application.properties} in the working directory overriding single settings, and
 * {@code gateway.routes-dir} (GATEWAY_ROUTES_DIR) pointing at an edited routes folder instead of the jar's.
 */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        // the first location that has a key wins: the working directory's file, then the jar's defaults
        main.setPropertyPlaceholderLocations("file:application.properties;optional=true,classpath:application.properties");
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                String problem = StartupCheck.problem(m.getCamelContext().getPropertiesComponent());
                if (problem != null) {
                    System.err.println("genesys-gateway cannot start: " + problem);
                    System.exit(2);
                }
                try {
                    var settings = m.getCamelContext().getPropertiesComponent();
                    problem = io.genesysgateway.cluster.ZooKeeperReach.problem(settings.resolveProperty("cluster.zookeeper").orElse(""),
                            Long.parseLong(settings.resolveProperty("cluster.connect-timeout-millis").orElse("5000").trim()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problem = "interrupted while connecting to ZooKeeper";
                }
                if (problem != null) {
                    System.err.println("genesys-gateway cannot start: " + problem);
                    System.exit(2);
                }
                StartupCheck.retiredSettings(m.getCamelContext().getPropertiesComponent())
                        .forEach(line -> org.slf4j.LoggerFactory.getLogger(GatewayApplication.class).warn(line));
                if ("true".equals(m.getCamelContext().getPropertiesComponent().resolveProperty("gateway.sandbox").orElse(""))) {
                    org.slf4j.LoggerFactory.getLogger(GatewayApplication.class).warn(
                            "SANDBOX MODE: Genesys Cloud is simulated and history goes to a local sink; not for production");
                }
            }
        });
        // before Camel configures itself: camel-opentelemetry2 takes the OpenTelemetry it finds then
        main.addMainListener(new io.genesysgateway.tracing.TracingStart());
        try {
            main.run(args);
        } catch (Exception e) {
            // a store that cannot be opened, a ZooKeeper that does not answer, or tracing settings that cannot be used, are set-up problems: one line,
            // like a missing setting
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof io.genesysgateway.store.StoreException
                        || t instanceof io.genesysgateway.cluster.ClusterUnavailable
                        || t instanceof io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException) {
                    System.err.println("genesys-gateway cannot start: " + t.getMessage());
                    System.exit(2);
                }
            }
            throw e;
        }
    }
}
