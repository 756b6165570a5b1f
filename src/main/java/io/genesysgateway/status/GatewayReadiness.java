package io.genesysgateway.status;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.genesysgateway.channel.ChannelFigures;
import io.genesysgateway.cluster.Leadership;
import io.genesysgateway.genesys.TokenCache;
import io.genesysgateway.history.DeliveryHealth;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.store.Database;
import org.apache.camel.Route;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.RouteController;
import org.apache.camel.spi.SupervisingRouteController;

/**
 * Readiness check {@code genesys-gateway}: DOWN while routes are still being started or restarted by the supervising
 * route controller (the HTTP server answers before every route is up), while the store does not answer, while no
 * access token can be had,
 * while a channel that carries topics has no open socket (its events are being lost right now), or while
 * Communication History keeps refusing records; the message says which. A follower in cluster mode holds no token and
 * no socket (the leader does): only the routes, the store and history count for it. Camel
 * finds it as a {@code HealthCheck} bean in the registry (beans.camel.yaml).
 */
public class GatewayReadiness extends AbstractHealthCheck {

    private TokenCache tokenCache;
    private ChannelFigures channels;
    private DeliveryHealth deliveryHealth;
    private Database database;
    private Outbox outbox;
    private Leadership leadership;
    private boolean sandbox;

    public GatewayReadiness() {
        super("genesys", "genesys-gateway");
    }

    @Override
    public boolean isLiveness() {
        return false; // the gateway recovers by itself: being unready is no reason to restart it
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        boolean drivesGenesys = leadership == null || leadership.leads();
        if (leadership != null && !leadership.isAlone()) {
            builder.detail("role", drivesGenesys ? "leader" : "follower");
        }
        long withoutSocket = channels.channelsWithoutSocket();
        builder.detail("channels", channels.channelCount());
        builder.detail("topics", channels.topicCount());
        builder.detail("channelsWithoutSocket", withoutSocket);
        if (sandbox) {
            builder.detail("sandbox", "SANDBOX: simulated Genesys Cloud, not a production gateway");
        }
        String storeProblem = database.problem();
        if (storeProblem == null) {
            builder.detail("historyRecordsPending", outbox.pendingCount());
            builder.detail("deadLetters", outbox.deadLetterCount());
        }
        String routesProblem = routesProblem();
        if (routesProblem != null) {
            builder.message(routesProblem).down();
        } else if (storeProblem != null) {
            builder.message(storeProblem).down();
        } else if (drivesGenesys && !tokenCache.isHealthy()) {
            builder.message("no Genesys access token: " + tokenCache.lastFailureMessage()).down();
        } else if (drivesGenesys && withoutSocket > 0) {
            builder.message(withoutSocket + " channel(s) carrying topics have no open socket, reconnecting: "
                    + String.join("; ", channels.socketLosses())).down();
        } else if (deliveryHealth.isFailing()) {
            builder.message(deliveryHealth.describe()).down();
        } else {
            builder.up();
        }
    }

    /** Null once every route has started, else what is still missing. */
    private String routesProblem() {
        if (getCamelContext() == null) {
            return null;
        }
        RouteController routes = getCamelContext().getRouteController();
        if (routes.isStartingRoutes()) {
            return "routes are still starting";
        }
        if (routes instanceof SupervisingRouteController supervising) {
            Collection<Route> restarting = supervising.getRestartingRoutes();
            Collection<Route> exhausted = supervising.getExhaustedRoutes();
            if (!restarting.isEmpty() || !exhausted.isEmpty()) {
                return "route(s) not started: " + Stream.concat(restarting.stream(), exhausted.stream())
                        .map(Route::getRouteId).sorted().collect(Collectors.joining(", "));
            }
        }
        return null;
    }

    public void setTokenCache(TokenCache tokenCache) {
        this.tokenCache = tokenCache;
    }

    public void setSandbox(boolean sandbox) {
        this.sandbox = sandbox;
    }

    public void setDeliveryHealth(DeliveryHealth deliveryHealth) {
        this.deliveryHealth = deliveryHealth;
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    public void setChannels(ChannelFigures channels) {
        this.channels = channels;
    }
}
