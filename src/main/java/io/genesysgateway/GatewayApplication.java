package io.genesysgateway;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Starts the gateway with camel-main: the top-level {@code application.properties} and the YAML routes under
 * {@code gateway.routes-dir} (default {@code src/main/routes}), both read from the working directory so a
 * user edits them and restarts, without a rebuild. Beans are declared in the routes folder too.
 */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:application.properties;optional=true");
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                String problem = StartupCheck.problem(m.getCamelContext().getPropertiesComponent());
                if (problem != null) {
                    System.err.println("genesys-gateway cannot start: " + problem);
                    System.exit(2);
                }
                if ("true".equals(m.getCamelContext().getPropertiesComponent().resolveProperty("gateway.sandbox").orElse(""))) {
                    org.slf4j.LoggerFactory.getLogger(GatewayApplication.class).warn(
                            "SANDBOX MODE: Genesys Cloud is simulated and history goes to a local sink; not for production");
                }
            }
        });
        try {
            main.run(args);
        } catch (Exception e) {
            // a store that cannot be opened is a set-up problem: one line, like a missing setting
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof io.genesysgateway.store.StoreException) {
                    System.err.println("genesys-gateway cannot start: " + t.getMessage());
                    System.exit(2);
                }
            }
            throw e;
        }
    }
}
