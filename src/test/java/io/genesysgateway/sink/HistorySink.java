package io.genesysgateway.sink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * A Communication History service stand-in: records every POST (body and Idempotency-Key), answers 201, or a
 * configured failure status while {@link #failNext(int, int)} says so. It does not drop repeats, so tests can
 * count them.
 */
public final class HistorySink implements AutoCloseable {

    /** A record received, with the request's headers (names in lower case). */
    public record Received(String path, String idempotencyKey, JsonObject body, long receivedAtMillis,
                           Map<String, String> headers) {
    }

    private final Vertx vertx = Vertx.vertx();
    // not a CopyOnWriteArrayList: that copies every record received so far on each POST, which the benchmark's
    // raw figure (tens of thousands of records in a few seconds) would measure instead of HTTP
    private final java.util.Queue<Received> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private volatile int outageStatus;
    private volatile long delayMillis;
    private final AtomicInteger refused = new AtomicInteger();
    private boolean printing;
    private boolean https;

    /** Prints every record it receives (for the sandbox). */
    public HistorySink printing() {
        printing = true;
        return this;
    }
    private HttpServer server;

    public HistorySink start(int port) {
        return start(port, new io.vertx.core.http.HttpServerOptions());
    }

    /** Serves HTTPS with the PKCS#12 key store at {@code keyStore}. */
    public HistorySink startTls(java.nio.file.Path keyStore, String password) {
        https = true;
        return start(0, new io.vertx.core.http.HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(keyStore.toString()).setPassword(password)));
    }

    private HistorySink start(int port, io.vertx.core.http.HttpServerOptions options) {
        server = vertx.createHttpServer(options).requestHandler(request -> request.body().onSuccess(body -> {
            long delay = delayMillis;
            if (delay > 0) {
                vertx.setTimer(delay, t -> answer(request, body));
            } else {
                answer(request, body);
            }
        }));
        try {
            server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("history sink could not listen", e);
        }
        return this;
    }

    private void answer(io.vertx.core.http.HttpServerRequest request, io.vertx.core.buffer.Buffer body) {
        int outage = outageStatus;
        if (outage != 0 || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            request.response().setStatusCode(outage != 0 ? outage : failureStatus).end("{\"error\":\"history unavailable\"}");
            return;
        }
        JsonObject json;
        try {
            json = body.toJsonObject();
        } catch (RuntimeException e) {
            request.response().setStatusCode(400).end("{\"error\":\"not JSON\"}");
            return;
        }
        Map<String, String> headers = new java.util.TreeMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
        received.add(new Received(request.path(), request.getHeader("Idempotency-Key"), json,
                System.currentTimeMillis(), headers));
        if (printing) {
            System.out.println("HISTORY SINK: record received, Idempotency-Key " + request.getHeader("Idempotency-Key")
                    + "\n" + json.encodePrettily());
        }
        request.response().setStatusCode(201).putHeader("Content-Type", "application/json").end("{\"status\":\"recorded\"}");
    }

    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + server.actualPort() + "/history/records";
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> forConversation(String conversationId) {
        return received.stream().filter(r -> conversationId.equals(r.body().getString("conversationId"))).toList();
    }

    /** Idempotency keys received more than once. */
    public Map<String, Long> duplicates() {
        return received.stream().collect(Collectors.groupingBy(Received::idempotencyKey, Collectors.counting()))
                .entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Every request answers {@code status} until {@link #recover()}. */
    public void outage(int status) {
        outageStatus = status;
    }

    public void recover() {
        outageStatus = 0;
    }

    /** Answers each request this long after it arrived (a slow history service). */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** Requests answered with a failure status. */
    public int refused() {
        return refused.get();
    }

    public void failNext(int requests, int status) {
        failureStatus = status;
        failuresLeft.set(requests);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    public static void main(String[] args) {
        HistorySink sink = new HistorySink().start(args.length > 0 ? Integer.parseInt(args[0]) : 9090);
        Runtime.getRuntime().addShutdownHook(new Thread(sink::close));
        System.out.println("History sink listening on " + sink.url());
    }
}
