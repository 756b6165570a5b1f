package io.genesysgateway.websocket;

import java.util.Set;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponentConfigurer;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpointConfigurer;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;

/**
 * camel-vertx-websocket with a client consumer the gateway can own (registered as {@code genesys-websocket}).
 *
 * <p>The 4.17 client consumer registers its frame handler only after the handshake completes on another
 * thread, so a frame sent right after the upgrade is lost; it reports no open, close or error to the route;
 * and it reconnects by itself on a timer that can overlap (CAMEL-25582), to a URI that can never change.
 * Genesys allows one socket per channel and buffers nothing, so each of those loses events. Endpoint options,
 * URI syntax, TLS and the producer stay those of camel-vertx-websocket; only {@code consumeAsClient=true}
 * consumers are replaced by {@link OwnedWebsocketConsumer}.
 */
public class OwnedWebsocketComponent extends VertxWebsocketComponent {

    // Camel finds generated option configurers by the component's annotation, which a subclass does not
    // carry: without these, options such as consumeAsClient would be silently passed on as query parameters.
    private final PropertyConfigurer componentConfigurer = new VertxWebsocketComponentConfigurer();
    private final PropertyConfigurer endpointConfigurer = new VertxWebsocketEndpointConfigurer();

    @Override
    public PropertyConfigurer getComponentPropertyConfigurer() {
        return componentConfigurer;
    }

    @Override
    public PropertyConfigurer getEndpointPropertyConfigurer() {
        return endpointConfigurer;
    }

    @Override
    protected void doStart() throws Exception {
        if (getVertx() == null) {
            // share the embedded HTTP server's Vert.x (one set of event loops on a small machine) instead of
            // starting a second one, which Vert.x also warns about when it happens on one of its threads
            Set<VertxPlatformHttpRouter> routers = getCamelContext().getRegistry().findByType(VertxPlatformHttpRouter.class);
            if (!routers.isEmpty()) {
                setVertx(routers.iterator().next().vertx());
            }
        }
        super.doStart();
    }

    @Override
    protected VertxWebsocketEndpoint createEndpointInstance(String uri, VertxWebsocketConfiguration configuration) {
        return new OwnedWebsocketEndpoint(uri, this, configuration);
    }
}
