package io.genesysgateway.http;

import java.util.Locale;

import io.genesysgateway.status.HealthAnswer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The first handler of every request, in front of the Vert.x router that carries Camel's routes: answers 503 while
 * the {@link ApiGate} is shut, serves health itself ({@link HealthAnswer}, so probes get an answer from the first
 * moment), and makes a form body (what {@code curl -d} sends) reach the routes as the raw body instead of being
 * decoded into form fields — every endpoint of the API reads JSON, and a form field must not become a header.
 */
public class ApiFront {

    private static final ErrorAnswer ERRORS = new ErrorAnswer();

    private final ApiGate gate;
    private final ConnectionGuard connections;
    private final HealthAnswer health;
    private final Vertx vertx;

    public ApiFront(ApiGate gate, ConnectionGuard connections, HealthAnswer health, Vertx vertx) {
        this.gate = gate;
        this.connections = connections;
        this.health = health;
        this.vertx = vertx;
    }

    public Handler<HttpServerRequest> before(Handler<HttpServerRequest> router) {
        return request -> {
            connections.requestStarted(request);
            String refusal = gate.refusal();
            String kind = HealthAnswer.kind(request.path());
            if (kind != null) {
                health(request, kind, refusal);
            } else if (refusal != null) {
                unavailable(request, refusal);
            } else {
                readFormsAsRawBody(request);
                router.handle(request);
            }
        };
    }

    private void unavailable(HttpServerRequest request, String refusal) {
        gate.counted(refusal);
        HttpServerResponse response = request.response();
        boolean stopping = "stopping".equals(refusal);
        response.putHeader("Retry-After", stopping ? "5" : "1");
        // the retry opens a new connection: to this gateway once started, to another instance when this one stops
        response.putHeader("Connection", "close");
        JsonRefusals.answerAs(response, 503, stopping ? "stopping" : "starting", stopping
                ? "the gateway is stopping; send the request again (to another instance) in a moment"
                : "the gateway is starting; send the request again in a moment");
    }

    private void health(HttpServerRequest request, String kind, String refusal) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader("Allow", "GET");
            JsonRefusals.answer(request.response(), 405, "method " + request.method() + " not allowed here; allowed: GET");
            return;
        }
        String apiKey = request.getHeader("X-API-Key");
        String authorization = request.getHeader("Authorization");
        // the checks may ask the store: not on the event loop
        vertx.executeBlocking(() -> health.answer(kind, refusal, apiKey, authorization), false).onComplete(done -> {
            HttpServerResponse response = request.response();
            if (done.failed()) {
                JsonRefusals.answer(response, 503, "health checks could not be run");
                return;
            }
            response.setStatusCode(done.result().status());
            response.putHeader("Content-Type", "application/json");
            response.end(done.result().body());
        });
    }

    private static void readFormsAsRawBody(HttpServerRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null) {
            return;
        }
        String t = type.toLowerCase(Locale.ROOT);
        if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
            request.headers().set("Content-Type", "application/json");
        }
    }
}
