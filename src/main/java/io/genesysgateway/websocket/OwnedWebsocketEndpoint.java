package io.genesysgateway.websocket;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;

/**
 * A vertx-websocket endpoint whose client consumer is an {@link OwnedWebsocketConsumer}. Each such consumer has
 * its own connection, so two routes may consume the same channel URI: that is how a replacement socket is
 * opened while the old one still delivers.
 */
public class OwnedWebsocketEndpoint extends VertxWebsocketEndpoint implements MultipleConsumersSupport {

    public OwnedWebsocketEndpoint(String uri, VertxWebsocketComponent component, VertxWebsocketConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!getConfiguration().isConsumeAsClient()) {
            return super.createConsumer(processor);
        }
        Consumer consumer = new OwnedWebsocketConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public boolean isMultipleConsumersSupported() {
        return getConfiguration().isConsumeAsClient();
    }

    Vertx vertx() {
        return getVertx();
    }

    WebSocketConnectOptions connectOptions(HttpClientOptions options) {
        return getWebSocketConnectOptions(options);
    }
}
