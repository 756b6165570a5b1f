package io.genesysgateway.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static org.awaitility.Awaitility.await;

/**
 * The ceiling of the benchmark: the same simulator, channels and sink, with no gateway in between. A plain
 * WebSocket client reads every frame and POSTs its event body to the sink, as many at once as the gateway does;
 * nothing is stored. Measures how fast the simulator emits, how fast its frames are read, and the whole path.
 */
final class NoGatewayPipeline {

    /** {@code cpuMsPerRecord}: CPU of this JVM (simulator, client, sink) from the first emit to the last record. */
    record Result(double emitPerSecond, double readPerSecond, double deliveredPerSecond, double cpuMsPerRecord) {
    }

    private NoGatewayPipeline() {
    }

    static Result run(int conversations, int topicsPerChannel, int concurrency) throws Exception {
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            HttpClient api = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient posts = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String token = token(api, simulator.baseUrl());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < conversations; i++) {
                ids.add(java.util.UUID.randomUUID().toString());
            }
            AtomicInteger read = new AtomicInteger();
            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            List<WebSocket> sockets = new ArrayList<>();
            for (int from = 0; from < conversations; from += topicsPerChannel) {
                JsonObject channel = new JsonObject(send(api, HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/api/v2/notifications/channels"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody())));
                JsonArray topics = new JsonArray();
                ids.subList(from, Math.min(conversations, from + topicsPerChannel)).forEach(id ->
                        topics.add(new JsonObject().put("id", "v2.detail.events.conversation." + id + ".acw")));
                send(api, HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/api/v2/notifications/channels/"
                                + channel.getString("id") + "/subscriptions"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(topics.encode())));
                sockets.add(api.newWebSocketBuilder().buildAsync(URI.create(channel.getString("connectUri")),
                        new Reader(frames, read)).get());
            }
            // one thread hands the frames to the HTTP client, at most `concurrency` POSTs in flight
            Thread poster = new Thread(() -> {
                Semaphore inFlight = new Semaphore(concurrency);
                try {
                    while (true) {
                        String frame = frames.take();
                        if (frame.isEmpty()) {
                            return;
                        }
                        JsonObject body = new JsonObject(frame).getJsonObject("eventBody");
                        if (body == null || body.getString("participantId") == null) {
                            continue; // a heartbeat
                        }
                        inFlight.acquire();
                        posts.sendAsync(HttpRequest.newBuilder(URI.create(sink.url()))
                                        .header("Content-Type", "application/json")
                                        .header("Idempotency-Key", "acw:" + body.getString("conversationId") + ":"
                                                + body.getString("participantId"))
                                        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
                                HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> inFlight.release());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "no-gateway-poster");
            poster.start();
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            for (String id : ids) {
                simulator.emitAcw(AcwEvent.sample(id));
            }
            long emitted = System.nanoTime();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5)).until(() -> read.get() >= conversations);
            long allRead = System.nanoTime();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10)).until(() -> sink.received().size() >= conversations);
            long delivered = System.nanoTime();
            double cpuMs = (cpuNanos() - cpu0) / 1e6 / conversations;
            frames.add("");
            poster.join(10_000);
            sockets.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
            return new Result(conversations / ((emitted - t0) / 1e9), conversations / ((allRead - t0) / 1e9),
                    conversations / ((delivered - t0) / 1e9), cpuMs);
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static String token(HttpClient http, String base) throws Exception {
        String basic = Base64.getEncoder().encodeToString((SimulatorSettings.CLIENT_ID + ":" + SimulatorSettings.CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        return new JsonObject(send(http, HttpRequest.newBuilder(URI.create(base + "/oauth/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")))).getString("access_token");
    }

    private static String send(HttpClient http, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** Collects whole text frames; counts the ACW ones. */
    private static final class Reader implements WebSocket.Listener {
        private final BlockingQueue<String> frames;
        private final AtomicInteger read;
        private final StringBuilder partial = new StringBuilder();

        Reader(BlockingQueue<String> frames, AtomicInteger read) {
            this.frames = frames;
            this.read = read;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains(".acw\"")) {
                    read.incrementAndGet();
                }
                frames.add(frame);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
