package io.genesysgateway.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * Cuts clients that hold a connection without using it. A connection must deliver its request headers within the
 * header timeout, counted from when it opened or from the end of its previous answer (so a client that trickles
 * headers byte by byte, on a new or a kept-alive connection, is closed); and no more than {@code maxConnections}
 * are open at once (one beyond that is closed at once). A request being answered is never cut by this; the
 * server's idle timeout (nothing read or written) covers a body that stalls.
 */
public class ConnectionGuard implements Handler<HttpConnection> {

    private final long headerTimeoutMillis;
    private final int maxConnections;
    private final RefusalLog refusals;
    private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();

    public ConnectionGuard(long headerTimeoutMillis, int maxConnections, RefusalLog refusals) {
        this.headerTimeoutMillis = headerTimeoutMillis;
        this.maxConnections = maxConnections;
        this.refusals = refusals;
    }

    @Override
    public void handle(HttpConnection connection) {
        if (open.size() >= maxConnections) {
            refusals.refused("too many connections", maxConnections + " connections are open (gateway.http.max-connections);"
                    + " closed one from " + connection.remoteAddress());
            connection.close();
            return;
        }
        open.put(connection, new Watch(System.currentTimeMillis()));
        connection.closeHandler(v -> open.remove(connection));
    }

    /** A request's headers have arrived on its connection: it is being answered, not waited for. */
    public void requestStarted(HttpServerRequest request) {
        Watch watch = open.get(request.connection());
        if (watch != null) {
            watch.current = request;
            watch.idleSince = 0;
        }
    }

    /** Run every few hundred milliseconds: closes connections that have waited too long for request headers. */
    public void sweep() {
        long now = System.currentTimeMillis();
        open.forEach((connection, watch) -> {
            HttpServerRequest current = watch.current;
            if (watch.idleSince == 0) {
                if (current != null && (current.response().ended() || current.response().closed())) {
                    watch.idleSince = now;
                }
                return;
            }
            if (now - watch.idleSince > headerTimeoutMillis) {
                if (current == null) {
                    // a kept-alive connection closed after an answer is ordinary; one that never sent a request is not
                    refusals.refused("slow client", "no complete request headers within " + headerTimeoutMillis
                            + " ms (gateway.http.header-timeout-seconds); closed the connection from " + connection.remoteAddress());
                }
                open.remove(connection);
                connection.close();
            }
        });
    }

    /** True while an accepted connection has not been answered yet (no request yet, or one being answered). */
    public boolean busy() {
        for (Watch watch : open.values()) {
            HttpServerRequest current = watch.current;
            if (current == null || !(current.response().ended() || current.response().closed())) {
                return true;
            }
        }
        return false;
    }

    private static final class Watch {
        volatile HttpServerRequest current;
        volatile long idleSince;

        Watch(long openedAt) {
            this.idleSince = openedAt;
        }
    }
}
