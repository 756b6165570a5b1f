package io.genesysgateway.http;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What the HTTP server answers by itself, before or instead of a route, in the gateway's JSON error body
 * ({@link ErrorAnswer}) with {@code Content-Type: application/json}: a request Netty cannot parse (400), a request
 * line or headers too long (414, 431), no such path (404), a method the path does not take (405, with
 * {@code Allow}), a body over the server's limit (413), a failure before a route answered (500). Each refusal is
 * one WARN line through {@link RefusalLog}, never a stack trace.
 */
public class JsonRefusals {

    private static final ErrorAnswer ERRORS = new ErrorAnswer();
    private static final List<Integer> ROUTER_STATUSES = List.of(400, 404, 405, 406, 413, 415, 500, 501, 503);

    private final RefusalLog refusals;
    private final Supplier<Collection<Route>> routes;
    private final long maxBodyBytes;

    /** {@code routes}: the routes of the HTTP API, to say which methods a path allows. */
    public JsonRefusals(RefusalLog refusals, Supplier<Collection<Route>> routes, long maxBodyBytes) {
        this.refusals = refusals;
        this.routes = routes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** JSON error handlers on a Vert.x router (the server's, and the sub-router Camel's routes live on). */
    public void install(Router router) {
        for (int status : ROUTER_STATUSES) {
            router.errorHandler(status, this::routerError);
        }
    }

    /** For the server's {@code invalidRequestHandler}: requests Netty could not decode. */
    public Handler<HttpServerRequest> invalidRequests() {
        return request -> {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
                return; // the client went away before sending a request (a TCP probe, say): nothing to answer
            }
            int status = 400;
            String message = "the request could not be parsed as HTTP";
            if (cause instanceof TooLongFrameException) {
                String text = String.valueOf(cause.getMessage());
                if (text.startsWith("An HTTP line is larger than")) {
                    status = 414;
                    message = "the request line (method, path and query) is too long";
                } else if (text.startsWith("HTTP header is larger than")) {
                    status = 431;
                    message = "the request headers are too large";
                }
            }
            refusals.refused(status + " " + errorName(status), message + ": " + (cause == null ? "" : cause.getMessage()));
            HttpServerResponse response = request.response();
            response.putHeader("Connection", "close");
            answer(response, status, message);
        };
    }

    private void routerError(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (response.headWritten()) {
            // too late for an error body: the answer has begun; end the connection so the client sees it failed
            ctx.request().connection().close();
            return;
        }
        String path = ctx.request().path();
        String message;
        switch (status) {
            case 404 -> message = "no such endpoint; see the README's HTTP API section";
            case 405 -> {
                Set<String> allowed = allowedMethods(path);
                response.putHeader("Allow", String.join(", ", allowed));
                message = "method " + ctx.request().method() + " not allowed here; allowed: " + String.join(", ", allowed);
            }
            case 413 -> message = "the request body is larger than " + maxBodyBytes + " bytes";
            case 415 -> message = "unsupported content type";
            case 500 -> {
                Throwable failure = ctx.failure();
                refusals.refused("500 failed before a route answered", ctx.request().method() + " " + path + ": "
                        + (failure == null ? "" : failure.getClass().getSimpleName() + ": " + failure.getMessage()));
                message = "the request could not be processed";
            }
            default -> message = null;
        }
        if (status != 500) {
            // the path as the client meant it (decoded), never the query: it may hold a key sent by mistake
            refusals.refused(status + " " + errorName(status), ctx.request().method() + " " + decoded(path));
        }
        answer(response, status, message);
    }

    static void answer(HttpServerResponse response, int status, String message) {
        answerAs(response, status, errorName(status), message);
    }

    static void answerAs(HttpServerResponse response, int status, String error, String message) {
        response.setStatusCode(status);
        response.putHeader("Content-Type", "application/json");
        response.end(ERRORS.message(error, message));
    }

    private static String decoded(String path) {
        try {
            return java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return path;
        }
    }

    static String errorName(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 406 -> "not acceptable";
            case 413 -> "request too large";
            case 414 -> "request line too long";
            case 415 -> "unsupported media type";
            case 431 -> "request headers too large";
            case 501 -> "not implemented";
            case 503 -> "unavailable";
            default -> "internal error";
        };
    }

    /** The methods the API's routes accept on this path (Vert.x paths: {@code :param} segments, {@code *} tails). */
    Set<String> allowedMethods(String path) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes.get()) {
            String pattern = route.getPath();
            if (pattern == null || route.isRegexPath() || !toRegex(pattern).matcher(path).matches()) {
                continue;
            }
            Set<HttpMethod> methods = route.methods();
            if (methods == null || methods.isEmpty()) {
                continue;
            }
            methods.forEach(m -> allowed.add(m.name()));
        }
        return allowed;
    }

    static Pattern toRegex(String vertxPath) {
        boolean prefix = vertxPath.endsWith("*");
        String path = prefix ? vertxPath.substring(0, vertxPath.length() - 1) : vertxPath;
        StringBuilder regex = new StringBuilder();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                regex.append('/').append(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
            }
        }
        regex.append(prefix ? "(/.*)?" : "/?");
        return Pattern.compile(regex.toString());
    }
}
