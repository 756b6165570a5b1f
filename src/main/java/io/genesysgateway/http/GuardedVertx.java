package io.genesysgateway.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.status.HealthAnswer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.VertxWrapper;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * The gateway's Vert.x, found in the registry by camel-platform-http-main's server (and shared with the
 * Notifications sockets). Camel creates its HTTP server with default options and offers no hook before it
 * listens; this is that hook: every HTTP server created here has an idle timeout, the {@link ConnectionGuard}
 * (header timeout, connection bound), JSON answers for what the server refuses itself ({@link JsonRefusals}) and
 * the {@link ApiFront} before the router. Built on Vert.x's {@code VertxWrapper} and {@code HttpServerImpl}
 * (Vert.x 4.5, the version camel-bom pins).
 */
public class GuardedVertx extends VertxWrapper implements CamelContextAware {

    private static final long DRAIN_MILLIS = 2000;

    private CamelContext camelContext;
    private ApiKeyCheck apiKeyCheck;
    private int headerTimeoutSeconds = 10;
    private int idleTimeoutSeconds = 60;
    private int maxConnections = 1000;
    private long maxBodyBytes = 1_048_576;
    private boolean healthDetailsOpen;
    private ApiGate gate;

    public GuardedVertx() {
        super((VertxInternal) Vertx.vertx());
    }

    @Override
    public HttpServer createHttpServer(HttpServerOptions options) {
        options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
        // HTTP/1.1 only: with h2c on, Vert.x sets a connection up (and tells the guard) only once its first bytes
        // show which protocol it speaks, so a client trickling its first request line would go unseen
        options.setHttp2ClearTextEnabled(false);
        RefusalLog refusals = new RefusalLog(60_000);
        ConnectionGuard connections = new ConnectionGuard(headerTimeoutSeconds * 1000L, maxConnections, refusals);
        JsonRefusals json = new JsonRefusals(refusals, this::apiRoutes, maxBodyBytes);
        ApiFront front = new ApiFront(gate(), connections, new HealthAnswer(camelContext, apiKeyCheck, healthDetailsOpen), this);
        HttpServer server = new GuardedServer(delegate, options, front, json, connections);
        server.connectionHandler(connections);
        server.invalidRequestHandler(json.invalidRequests());
        long sweep = setPeriodic(250, id -> connections.sweep());
        closeFuture().add(completion -> {
            cancelTimer(sweep);
            completion.complete();
        });
        return server;
    }

    /** Whether the API serves (shared by every server this Vert.x creates). */
    public synchronized ApiGate gate() {
        if (gate == null) {
            gate = new ApiGate(camelContext);
        }
        return gate;
    }

    private Collection<Route> apiRoutes() {
        List<Route> routes = new ArrayList<>();
        camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class).forEach(r -> routes.addAll(r.getRoutes()));
        return routes;
    }

    /** Vert.x's HTTP server with the front handler put before the router Camel sets. */
    private final class GuardedServer extends HttpServerImpl {
        private final ApiFront front;
        private final JsonRefusals json;
        private final ConnectionGuard connections;

        GuardedServer(VertxInternal vertx, HttpServerOptions options, ApiFront front, JsonRefusals json,
                      ConnectionGuard connections) {
            super(vertx, options);
            this.front = front;
            this.json = json;
            this.connections = connections;
        }

        @Override
        public synchronized HttpServer requestHandler(Handler<HttpServerRequest> handler) {
            if (handler instanceof Router router) {
                json.install(router);
                // Camel's routes live on a sub-router; its failures (413, 500) are handled there
                camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class).forEach(json::install);
            }
            return super.requestHandler(front.before(handler));
        }

        /**
         * Stops accepting first, then lets the connections already accepted get their answer (503 by now) for up to
         * {@code DRAIN_MILLIS}, then closes. Vert.x 4.5 closes the listening socket and every connection at once, so
         * a request already sent on an accepted connection would get no answer at all.
         */
        @Override
        public synchronized void close(io.vertx.core.Promise<Void> completion) {
            io.netty.channel.Channel listening = listeningChannel();
            if (listening == null) {
                super.close(completion);
                return;
            }
            listening.close().addListener(closed -> drainThenClose(System.currentTimeMillis(), completion));
        }

        private void drainThenClose(long since, io.vertx.core.Promise<Void> completion) {
            if (connections.busy() && System.currentTimeMillis() - since < DRAIN_MILLIS) {
                setTimer(20, id -> drainThenClose(since, completion));
            } else {
                org.slf4j.LoggerFactory.getLogger(GuardedVertx.class).info(
                        "HTTP server no longer accepting; connections drained in {} ms", System.currentTimeMillis() - since);
                super.close(completion);
            }
        }

        private io.netty.channel.Channel listeningChannel() {
            try {
                java.lang.reflect.Field bind = io.vertx.core.net.impl.TCPServerBase.class.getDeclaredField("bindFuture");
                bind.setAccessible(true);
                Object future = bind.get(this);
                return future instanceof io.vertx.core.Future<?> f && f.succeeded() && f.result() instanceof io.netty.channel.Channel c
                        ? c : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // another Vert.x: a plain close
            }
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        // closed once the context has stopped (its HTTP server and sockets are closed by then); not through a
        // destroyMethod, which camel-main also calls on the instance its first reading of the beans made, and
        // that is the instance the HTTP server already holds
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext context) {
                close();
            }
        });
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setApiKeyCheck(ApiKeyCheck apiKeyCheck) {
        this.apiKeyCheck = apiKeyCheck;
    }

    public void setHeaderTimeoutSeconds(int headerTimeoutSeconds) {
        this.headerTimeoutSeconds = headerTimeoutSeconds;
    }

    public void setIdleTimeoutSeconds(int idleTimeoutSeconds) {
        this.idleTimeoutSeconds = idleTimeoutSeconds;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public void setMaxBodyBytes(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public void setHealthDetailsOpen(boolean healthDetailsOpen) {
        this.healthDetailsOpen = healthDetailsOpen;
    }
}
