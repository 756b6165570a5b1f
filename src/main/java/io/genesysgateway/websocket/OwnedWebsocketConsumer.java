package io.genesysgateway.websocket;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConstants;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEvent;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket client consumer that connects once and reports its life to the route.
 *
 * <ul>
 * <li>Handlers are set inside the connect callback, on the socket's event loop, before Vert.x can deliver the
 * first frame: nothing sent right after the upgrade is lost.</li>
 * <li>The route gets one exchange per event, with header {@code CamelVertxWebsocket.event} = {@code OPEN},
 * {@code MESSAGE}, {@code CLOSE} or {@code ERROR} (the same header the server consumer uses), in the order
 * they happened.</li>
 * <li>It never reconnects: whoever owns the route decides (for Genesys: same channel, or a new one).</li>
 * </ul>
 */
public class OwnedWebsocketConsumer extends DefaultConsumer {

    /** Header with the close code on a CLOSE event (absent when the connection died without a close frame). */
    public static final String CLOSE_CODE = "WebsocketCloseCode";
    /** Header with the close reason or the error text on CLOSE and ERROR events. */
    public static final String REASON = "WebsocketCloseReason";

    private static final Logger LOG = LoggerFactory.getLogger(OwnedWebsocketConsumer.class);
    /** Events waiting on the lane at which the socket stops reading (TCP holds the sender back), and resumes. */
    private static final int PAUSE_AT = 2000;
    private static final int RESUME_AT = 200;

    private HttpClient client;
    /** This socket's own ordered lane: its events keep their order, other sockets' events do not wait on it. */
    private java.util.concurrent.ExecutorService lane;
    private volatile WebSocket socket;
    private volatile boolean closeReported;
    /** While stopping: frames that arrive before the close handshake ends are still processed (they hold wrap-ups). */
    private volatile boolean draining;
    /** Events handed to the lane and not yet processed. */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean paused;

    public OwnedWebsocketConsumer(OwnedWebsocketEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public OwnedWebsocketEndpoint getEndpoint() {
        return (OwnedWebsocketEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        HttpClientOptions options = getEndpoint().getConfiguration().getClientOptions();
        if (options == null) {
            options = new HttpClientOptions().setConnectTimeout(10_000);
        }
        client = getEndpoint().vertx().createHttpClient(options);
        // Java must: a lane per socket keeps its events in order without making other sockets wait (see below)
        lane = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "websocket-events");
        WebSocketConnectOptions connectOptions = getEndpoint().connectOptions(options);
        closeReported = false;
        queued.set(0);
        paused = false;
        // connect asynchronously: a route start never blocks, and a failed connect is an ERROR + CLOSE event
        client.webSocket(connectOptions, result -> {
            if (result.failed()) {
                emit(VertxWebsocketEvent.ERROR, null, null, String.valueOf(result.cause().getMessage()));
                reportClose(null, "connect failed: " + result.cause().getMessage());
                return;
            }
            WebSocket ws = result.result();
            // on the event loop that will deliver frames, so these handlers are in place before the first one
            ws.textMessageHandler(text -> emit(VertxWebsocketEvent.MESSAGE, text, null, null));
            ws.binaryMessageHandler(buffer -> emit(VertxWebsocketEvent.MESSAGE, buffer.toString(), null, null));
            ws.exceptionHandler(e -> emit(VertxWebsocketEvent.ERROR, null, null, String.valueOf(e.getMessage())));
            ws.closeHandler(v -> reportClose(ws.closeStatusCode(), ws.closeReason()));
            socket = ws;
            if (!isRunAllowed()) {
                ws.close();
                return;
            }
            emit(VertxWebsocketEvent.OPEN, null, null, null);
        });
    }

    @Override
    protected void doStop() throws Exception {
        WebSocket ws = socket;
        socket = null;
        closeReported = true; // a stop we asked for is not a close to react to
        draining = true;
        try {
            if (ws != null && !ws.isClosed()) {
                // Genesys may have written frames before it sees our close: wait for its close frame, then for the
                // lane to commit everything received, so a stop (SIGTERM, a replaced socket) loses no wrap-up
                java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
                ws.closeHandler(v -> closed.complete(null));
                ws.resume(); // a paused socket would never read the close frame
                ws.close();
                try {
                    closed.get(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    LOG.debug("No close frame from {} within 2 s", getEndpoint().getConfiguration().getWebsocketURI());
                }
            }
            if (lane != null) {
                lane.shutdown(); // events already queued still finish; none are taken after this
                if (!lane.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.warn("Socket events of {} still in progress after 10 s of stopping", getEndpoint().getConfiguration().getWebsocketURI());
                }
                // shut down already: Camel only forgets it (each replaced socket has had a lane)
                getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(lane);
            }
        } finally {
            draining = false;
            if (client != null) {
                client.close();
                client = null;
            }
        }
        super.doStop();
    }

    /** Sends a text frame on this consumer's socket; false when it is not open. */
    public boolean send(String text) {
        WebSocket ws = socket;
        if (ws == null || ws.isClosed()) {
            return false;
        }
        ws.writeTextMessage(text);
        return true;
    }

    /**
     * Back-pressure: the lane is behind (the store or history cannot keep up), so the socket stops reading until it
     * catches up, rather than holding an unbounded backlog in memory.
     */
    private synchronized void pauseReading() {
        WebSocket ws = socket;
        if (!paused && ws != null && !draining) {
            paused = true;
            ws.pause();
            LOG.debug("Socket {} paused: {} events behind", getEndpoint().getConfiguration().getWebsocketURI(), queued.get());
        }
    }

    private synchronized void resumeReading() {
        WebSocket ws = socket;
        if (paused) {
            paused = false;
            if (ws != null) {
                ws.resume();
            }
        }
    }

    private void reportClose(Short code, String reason) {
        if (closeReported) {
            return;
        }
        closeReported = true;
        emit(VertxWebsocketEvent.CLOSE, null, code, reason);
    }

    private void emit(VertxWebsocketEvent event, String body, Short closeCode, String reason) {
        if (!isRunAllowed() && !(draining && event == VertxWebsocketEvent.MESSAGE)) {
            return; // a socket being closed on purpose: its OPEN/CLOSE/ERROR events are moot, its frames are not
        }
        Exchange exchange = createExchange(false);
        exchange.getMessage().setHeader(VertxWebsocketConstants.EVENT, event);
        if (closeCode != null) {
            exchange.getMessage().setHeader(CLOSE_CODE, closeCode);
        }
        if (reason != null) {
            exchange.getMessage().setHeader(REASON, reason);
        }
        exchange.getMessage().setBody(body);
        // ordered: the route sees OPEN, frames and CLOSE in the order they happened, off the event loop, on a
        // lane of this socket's own (with one shared ordered queue, 20 sockets would take turns)
        if (queued.incrementAndGet() >= PAUSE_AT) {
            pauseReading();
        }
        try {
            lane.execute(() -> {
                try {
                    createUoW(exchange);
                    getProcessor().process(exchange);
                    if (exchange.getException() != null && isRunAllowed()) {
                        getExceptionHandler().handleException("Error processing WebSocket " + event, exchange,
                                exchange.getException());
                    }
                } catch (Exception e) {
                    if (isRunAllowed()) {
                        getExceptionHandler().handleException("Error processing WebSocket " + event, exchange, e);
                    }
                } finally {
                    doneUoW(exchange);
                    releaseExchange(exchange, false);
                    if (queued.decrementAndGet() <= RESUME_AT && paused) {
                        resumeReading();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            queued.decrementAndGet();
            releaseExchange(exchange, false);
        }
        if (event == VertxWebsocketEvent.ERROR) {
            LOG.debug("WebSocket error on {}: {}", getEndpoint().getConfiguration().getWebsocketURI(), reason);
        }
    }
}
