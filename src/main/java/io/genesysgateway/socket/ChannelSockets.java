package io.genesysgateway.socket;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;


import io.genesysgateway.websocket.OwnedWebsocketConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Route;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that opens, replaces and closes the gateway's Genesys sockets. Each socket is a route made
 * from the YAML route template {@code genesys-socket}, one per channel and generation
 * ({@code genesys-socket-<channelId>-<n>}); a replacement is a new generation, never a reconnect inside the
 * component, so two sockets of the gateway never fight over a channel. The routes report OPEN, CLOSE and every
 * frame back here; {@link #checkLiveness()} pings a quiet socket and declares it dead when no pong follows.
 */
public class ChannelSockets implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelSockets.class);

    /** Told when a socket is lost, so the channel owner can decide what to do. */
    public interface Listener {
        void socketLost(String channelId, String why);
    }

    private CamelContext camelContext;
    private Listener listener = (channelId, why) -> { };
    private long openTimeoutMillis = 10_000;
    private long livenessWindowMillis = 40_000;
    private long pongTimeoutMillis = 10_000;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();

    private static final class Socket {
        final String channelId;
        final String connectUri;
        final String routeId;
        final CompletableFuture<Boolean> open = new CompletableFuture<>();
        volatile long openedAt;
        volatile long lastFrameAt;
        volatile long pingSentAt;
        volatile boolean closed;

        Socket(String channelId, String connectUri, String routeId) {
            this.channelId = channelId;
            this.connectUri = connectUri;
            this.routeId = routeId;
        }
    }

    /**
     * Opens a socket to the channel and waits until it is open. An older socket of the same channel is kept
     * until the new one is open (Genesys moves the channel to the newer socket), then its route is removed.
     *
     * @return true when the socket opened within the timeout
     */
    public boolean open(String channelId, String connectUri) {
        Socket previous;
        Socket next;
        synchronized (this) {
            previous = sockets.get(channelId);
            String routeId = "genesys-socket-" + channelId + "-" + generations.incrementAndGet();
            next = new Socket(channelId, connectUri, routeId);
            sockets.put(channelId, next);
            try {
                TemplatedRouteBuilder.builder(camelContext, "genesys-socket")
                        .routeId(routeId)
                        .parameter("channelId", channelId)
                        .parameter("connectUri", connectUri)
                        .add();
                // with the supervising route controller a route added at runtime is not started by itself
                camelContext.getRouteController().startRoute(routeId);
            } catch (Exception e) {
                restore(channelId, next, previous);
                removeRoute(routeId);
                LOG.warn("Could not create the socket route for channel {}: {}", channelId, e.toString());
                return false;
            }
        }
        boolean ok;
        try {
            ok = next.open.get(openTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            restore(channelId, next, previous);
            removeRoute(next.routeId);
            return false;
        }
        if (previous != null) {
            previous.closed = true;
            removeRoute(previous.routeId);
        }
        return true;
    }

    private synchronized void restore(String channelId, Socket failed, Socket previous) {
        if (sockets.get(channelId) == failed) {
            if (previous != null) {
                sockets.put(channelId, previous);
            } else {
                sockets.remove(channelId);
            }
        }
    }

    /** Closes the channel's socket on purpose (a retired or replaced channel): no loss is reported. */
    public void close(String channelId) {
        Socket socket = sockets.remove(channelId);
        if (socket != null) {
            socket.closed = true;
            removeRoute(socket.routeId);
        }
    }

    /** Closes every socket on purpose (leadership lost): no loss is reported. Returns how many were open. */
    public int closeAll() {
        List<String> channelIds = List.copyOf(sockets.keySet());
        channelIds.forEach(this::close);
        return channelIds.size();
    }

    public boolean isOpen(String channelId) {
        Socket s = sockets.get(channelId);
        return s != null && s.openedAt > 0 && !s.closed;
    }

    /** Sends a text frame on the channel's current socket. */
    public boolean send(String channelId, String text) {
        Socket s = sockets.get(channelId);
        if (s == null) {
            return false;
        }
        Route route = camelContext.getRoute(s.routeId);
        return route != null && route.getConsumer() instanceof OwnedWebsocketConsumer consumer && consumer.send(text);
    }

    // ------------------------------------------------------------------ called by the socket routes

    /** OPEN event of route {@code routeId}. */
    public void opened(String channelId, String routeId) {
        Socket s = current(channelId, routeId);
        if (s != null) {
            s.openedAt = System.currentTimeMillis();
            s.lastFrameAt = s.openedAt;
            opened.incrementAndGet();
            LOG.info("Socket open for channel {}", channelId);
            s.open.complete(true);
        }
    }

    /** CLOSE event: a socket we did not close ourselves is lost. */
    public void closed(String channelId, String routeId, Object code, String reason) {
        Socket s = current(channelId, routeId);
        if (s == null || s.closed) {
            return; // an old generation, or a close we asked for
        }
        s.closed = true;
        s.open.complete(false);
        if (s.openedAt == 0) {
            return; // never opened: open() reports the failure
        }
        lost.incrementAndGet();
        String why = "socket closed" + (code == null ? " without a close frame" : " with code " + code)
                + (reason == null || reason.isBlank() ? "" : " (" + reason + ")");
        LOG.warn("Socket for channel {} lost: {}", channelId, why);
        listener.socketLost(channelId, why);
    }

    /** Any frame: proof of life. */
    public void frameReceived(String channelId, String routeId) {
        Socket s = current(channelId, routeId);
        if (s != null) {
            s.lastFrameAt = System.currentTimeMillis();
            s.pingSentAt = 0;
        }
    }

    /**
     * Called by the watchdog timer: a socket quiet for longer than the liveness window gets a
     * {@code {"message":"ping"}}; one that stays quiet for the pong timeout after that is dead (a TCP connection
     * can die without a close frame) and reported lost.
     */
    public void checkLiveness() {
        long now = System.currentTimeMillis();
        for (Socket s : List.copyOf(sockets.values())) {
            if (s.openedAt == 0 || s.closed) {
                continue;
            }
            if (s.pingSentAt > 0 && now - s.pingSentAt > pongTimeoutMillis) {
                s.closed = true;
                lost.incrementAndGet();
                String why = "no heartbeat or pong for " + (now - s.lastFrameAt) / 1000 + " s";
                LOG.warn("Socket for channel {} is dead: {}", s.channelId, why);
                listener.socketLost(s.channelId, why);
            } else if (s.pingSentAt == 0 && now - s.lastFrameAt > livenessWindowMillis) {
                s.pingSentAt = now;
                pings.incrementAndGet();
                send(s.channelId, "{\"message\":\"ping\"}");
            }
        }
    }

    /** Socket facts for the status view, by channel id. */
    public Map<String, Object> describe(String channelId) {
        Socket s = sockets.get(channelId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("open", s != null && s.openedAt > 0 && !s.closed);
        if (s != null && s.lastFrameAt > 0) {
            out.put("secondsSinceLastFrame", (System.currentTimeMillis() - s.lastFrameAt) / 1000);
        }
        return out;
    }

    /** The longest quiet time of any open socket, in seconds (0 without sockets). */
    public long secondsSinceLastFrame() {
        long now = System.currentTimeMillis();
        return sockets.values().stream().filter(s -> s.openedAt > 0 && !s.closed)
                .mapToLong(s -> (now - s.lastFrameAt) / 1000).max().orElse(0);
    }

    public Map<String, Long> counters() {
        return Map.of("socketsOpened", opened.get(), "socketsLost", lost.get(), "pingsSent", pings.get(),
                "openSockets", sockets.values().stream().filter(s -> s.openedAt > 0 && !s.closed).count());
    }

    private Socket current(String channelId, String routeId) {
        Socket s = sockets.get(channelId);
        return s != null && s.routeId.equals(routeId) ? s : null;
    }

    private void removeRoute(String routeId) {
        try {
            if (camelContext.getRoute(routeId) != null) {
                camelContext.getRouteController().stopRoute(routeId, 5, TimeUnit.SECONDS);
                camelContext.removeRoute(routeId);
            }
        } catch (Exception e) {
            LOG.warn("Could not remove socket route {}: {}", routeId, e.getMessage());
        }
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    public void setOpenTimeoutMillis(long openTimeoutMillis) {
        this.openTimeoutMillis = openTimeoutMillis;
    }

    public void setLivenessWindowMillis(long livenessWindowMillis) {
        this.livenessWindowMillis = livenessWindowMillis;
    }

    public void setPongTimeoutMillis(long pongTimeoutMillis) {
        this.pongTimeoutMillis = pongTimeoutMillis;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
