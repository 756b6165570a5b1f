package io.genesysgateway.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The simulator's control API for a separate process (the sandbox, soak runs): the same controls the tests
 * call in Java, as {@code POST /sim/...} with small JSON bodies, and {@code GET /sim/state}.
 */
final class SimulatorControl {

    private SimulatorControl() {
    }

    static void handle(GenesysSimulator sim, HttpServerRequest request, Buffer body) {
        JsonObject in = body.length() == 0 ? new JsonObject() : new JsonObject(body.toString());
        String path = request.path();
        switch (path) {
            case "/sim/state" -> {
                JsonArray channels = new JsonArray();
                sim.channels().forEach(c -> channels.add(new JsonObject().put("id", c.id())
                        .put("topics", c.topics().size()).put("socketOpen", c.hasOpenSocket())));
                GenesysSimulator.json(request.response(), 200, new JsonObject().put("channels", channels)
                        .put("eventsEmitted", sim.eventsEmitted()).put("eventsLost", sim.eventsLost())
                        .put("socketsOpened", sim.socketsOpened()));
            }
            case "/sim/acw" -> {
                int written = sim.emitAcw(AcwEvent.fromJson(in));
                GenesysSimulator.json(request.response(), 200, new JsonObject().put("sockets", written));
            }
            case "/sim/socket-closing" -> {
                sim.socketClosing(in.getString("channelId"), in.getLong("graceMillis", 60_000L));
                request.response().setStatusCode(204).end();
            }
            case "/sim/close-socket" -> {
                sim.closeSocket(in.getString("channelId"), (short) 1001, "closed by simulator control");
                request.response().setStatusCode(204).end();
            }
            case "/sim/silence-socket" -> {
                sim.silenceSocket(in.getString("channelId"));
                request.response().setStatusCode(204).end();
            }
            case "/sim/expire-channel" -> {
                sim.expireChannel(in.getString("channelId"));
                request.response().setStatusCode(204).end();
            }
            case "/sim/fault" -> {
                sim.injectFault(in.getString("method"), in.getString("pathPrefix", "/"), in.getInteger("status", 503),
                        in.getInteger("times", 1), in.getInteger("retryAfterSeconds", 1));
                request.response().setStatusCode(204).end();
            }
            default -> GenesysSimulator.platformError(request.response(), 404, "not.found", "no control " + path);
        }
    }
}
