package io.genesysgateway.http;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the HTTP API may take requests. The Vert.x server listens before the supervising route controller has
 * started the routes, and the routes' HTTP consumers go away while Camel stops: in both windows a request would
 * get 404, which no caller retries. The gate answers 503 + Retry-After instead: from the moment the port opens
 * until the context has started and the controller's first round of route starts is over, and again from the
 * moment the context begins to stop.
 */
public class ApiGate {

    private static final Logger LOG = LoggerFactory.getLogger(ApiGate.class);

    private final CamelContext context;
    private final long createdAt = System.nanoTime();
    private final AtomicLong refusedStarting = new AtomicLong();
    private final AtomicLong refusedStopping = new AtomicLong();
    private volatile boolean open;
    private volatile boolean stopLogged;

    public ApiGate(CamelContext context) {
        this.context = context;
    }

    /** {@code null} while the API serves; else {@code "starting"} or {@code "stopping"}. */
    public String refusal() {
        if (context.isStopping() || context.isStopped()) {
            if (!stopLogged) {
                stopLogged = true;
                LOG.info("HTTP API answers 503 while the gateway stops; requests in flight are answered first");
            }
            return "stopping";
        }
        if (!open) {
            if (context.isStarted() && !context.getRouteController().isStartingRoutes()) {
                open = true;
                LOG.info("HTTP API open: every route has started ({} request(s) answered 503 in the {} ms before)",
                        refusedStarting.get(), (System.nanoTime() - createdAt) / 1_000_000);
            } else {
                return "starting";
            }
        }
        return null;
    }

    void counted(String refusal) {
        ("starting".equals(refusal) ? refusedStarting : refusedStopping).incrementAndGet();
    }
}
