package io.genesysgateway.socket;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;

/** A vertx-websocket endpoint whose client consumer is an {@link OwnedSocketConsumer}. */
public class OwnedSocketEndpoint extends VertxWebsocketEndpoint {

    public OwnedSocketEndpoint(String uri, VertxWebsocketComponent component, VertxWebsocketConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!getConfiguration().isConsumeAsClient()) {
            return super.createConsumer(processor);
        }
        Consumer consumer = new OwnedSocketConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    Vertx vertx() {
        return getVertx();
    }

    WebSocketConnectOptions connectOptions(HttpClientOptions options) {
        return getWebSocketConnectOptions(options);
    }
}
