package io.genesysgateway.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Genesys Cloud stand-in on loopback: OAuth client credentials, the notifications REST API,
 * the notification WebSocket and the analytics conversation-details API, with the limits and
 * message shapes of shared/reference/genesys-notifications.md (its section 10 is the checklist).
 *
 * <p>Tests drive it through the Java methods below (emit an ACW, close or silence a socket,
 * expire a channel, inject faults); the same controls are on {@code /sim/*} for a separate process
 * (see {@link SimulatorMain}).
 */
public final class GenesysSimulator implements AutoCloseable {

    public static final String ACW_PERMISSION = "analytics:conversationDetail:view";
    static final Pattern CONVERSATION_TOPIC = Pattern.compile(
            "v2\\.detail\\.events\\.conversation\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\."
                    + "(acw|wrapup|acd\\.start|acd\\.end|attributes|contact|customer\\.start|customer\\.end|flow\\.start"
                    + "|flow\\.end|flow\\.outcome|outbound|user\\.start|user\\.end|voicemail\\.start|voicemail\\.end)");
    private static final Pattern OTHER_TOPIC = Pattern.compile(
            "v2\\.(users|routing\\.queues|detail\\.events\\.agent|conversations)\\.[A-Za-z0-9-]+(\\.[A-Za-z.]+)?");

    private final SimulatorSettings settings;
    private final Vertx vertx;
    private final boolean ownsVertx;
    private HttpServer server;
    private int port;

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, SimChannel> channels = new ConcurrentHashMap<>();
    private final AtomicInteger channelSequence = new AtomicInteger();
    private final Map<String, JsonObject> analytics = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicLong eventsEmitted = new AtomicLong();
    private final AtomicLong eventsDelivered = new AtomicLong();
    private final AtomicLong eventsLost = new AtomicLong();
    private final AtomicInteger socketsOpened = new AtomicInteger();
    private final AtomicInteger closedWithToken = new AtomicInteger();

    public GenesysSimulator(SimulatorSettings settings) {
        this(settings, Vertx.vertx(), true);
    }

    public GenesysSimulator(SimulatorSettings settings, Vertx vertx, boolean ownsVertx) {
        this.settings = settings;
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
    }

    public GenesysSimulator start() {
        HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                .setMaxWebSocketFrameSize(1024 * 1024);
        server = vertx.createHttpServer(options)
                .webSocketHandler(this::onSocket)
                .requestHandler(request -> request.body().onComplete(body -> {
                    try {
                        handle(request, body.succeeded() ? body.result() : Buffer.buffer());
                    } catch (RuntimeException e) {
                        platformError(request.response(), 500, "internal.server.error", "simulator error: " + e);
                    }
                }));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("simulator could not listen on " + settings.host() + ":" + settings.port(), e);
        }
        port = server.actualPort();
        // channels die when their lifetime runs out (re-subscribing extends it), and with the token they were
        // created with: its expiry closes their sockets and removes them (HEAD answers 404)
        vertx.setPeriodic(200, t -> channels.values().stream()
                .filter(c -> c.expiresAt < System.currentTimeMillis() || tokenExpired(c.token)).map(c -> c.id).toList()
                .forEach(this::expireChannel));
        return this;
    }

    @Override
    public void close() {
        channels.values().forEach(SimChannel::closeSocketQuietly);
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
        if (ownsVertx) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    public int port() {
        return port;
    }

    /** Base URL for both login and API calls: {@code http://127.0.0.1:port}. */
    public String baseUrl() {
        return "http://" + settings.host() + ":" + port;
    }

    // ------------------------------------------------------------------ test controls

    /**
     * Publishes an ACW detail event on the conversation's topic to every channel subscribed to it, the way
     * Genesys does: a channel without an open socket loses it. Also records the analytics document.
     *
     * @return the number of sockets it was written to
     */
    public int emitAcw(AcwEvent event) {
        eventsEmitted.incrementAndGet();
        recordAnalytics(event);
        String topic = "v2.detail.events.conversation." + event.conversationId() + ".acw";
        JsonObject envelope = new JsonObject()
                .put("topicName", topic)
                .put("version", "2")
                .put("eventBody", event.toEventBody())
                .put("metadata", new JsonObject().put("CorrelationId", UUID.randomUUID().toString()));
        int written = publish(topic, envelope.encode());
        if (written == 0) {
            eventsLost.incrementAndGet();
        } else {
            eventsDelivered.incrementAndGet();
        }
        return written;
    }

    /** Writes any text frame to the sockets of channels subscribed to {@code topic}; returns how many. */
    public int publish(String topic, String frame) {
        int written = 0;
        for (SimChannel channel : channels.values()) {
            if (channel.topics.contains(topic) && channel.writeIfOpen(frame)) {
                written++;
            }
        }
        return written;
    }

    /** Sends a raw frame to the channel's socket (malformed frames, unknown topics ...). */
    public boolean sendRaw(String channelId, String frame) {
        SimChannel channel = channels.get(channelId);
        return channel != null && channel.writeIfOpen(frame);
    }

    /** Maintenance: sends {@code v2.system.socket_closing}, then closes the socket after {@code graceMillis}. */
    public void socketClosing(String channelId, long graceMillis) {
        SimChannel channel = requireChannel(channelId);
        ServerWebSocket socket = channel.socket;
        if (socket == null) {
            return;
        }
        channel.writeIfOpen(systemMessage("v2.system.socket_closing", channel.id, "socket_closing",
                "The WebSocket is closing for maintenance. Connect a new WebSocket within one minute.").encode());
        vertx.setTimer(Math.max(1, graceMillis), t -> {
            if (!socket.isClosed()) {
                socket.close((short) 1001, "maintenance");
            }
        });
    }

    /** Closes the channel's socket from the server side with a close frame. */
    public void closeSocket(String channelId, short code, String reason) {
        SimChannel channel = requireChannel(channelId);
        if (channel.socket != null && !channel.socket.isClosed()) {
            channel.socket.close(code, reason);
        }
    }

    /**
     * A TCP connection that died without a close frame: from now on the socket gets nothing (no heartbeats, no
     * pongs, no events), and nothing it sends is answered. Events published meanwhile are lost.
     */
    public void silenceSocket(String channelId) {
        SimChannel channel = requireChannel(channelId);
        channel.silenced = true;
    }

    /** Genesys removed the channel's subscriptions: they are gone and the socket is told so. */
    public void dropSubscriptions(String channelId) {
        SimChannel channel = requireChannel(channelId);
        channel.topics.clear();
        channel.writeIfOpen(systemMessage("v2.system.no_longer_subscribed." + channelId, channelId,
                "no_longer_subscribed", "subscriptions removed").encode());
    }

    private boolean tokenExpired(String value) {
        Token token = tokens.get(value);
        return token != null && token.expiresAt < System.currentTimeMillis();
    }

    /**
     * What another application on the same OAuth client does by creating a 21st channel: this channel is removed,
     * its socket told {@code v2.system.no_longer_subscribed} and closed.
     */
    public void evict(String channelId) {
        SimChannel victim = channels.remove(channelId);
        if (victim != null) {
            noLongerSubscribed(victim);
        }
    }

    private void noLongerSubscribed(SimChannel victim) {
        victim.writeIfOpen(systemMessage("v2.system.no_longer_subscribed." + victim.id, victim.id,
                "no_longer_subscribed", "channel removed").put("eventBody", new JsonObject()
                .put("channelId", victim.id).put("systemTopicType", "no_longer_subscribed")
                .put("reason", "another_channel_subscribed")).encode());
        victim.closeSocketQuietly();
        victim.evicted = true;
    }

    /** Channels removed because the token they were created with expired, so far. */
    public int channelsClosedWithTheirToken() {
        return closedWithToken.get();
    }

    /** Expires a channel now: its socket is closed and HEAD answers 404. */
    public void expireChannel(String channelId) {
        SimChannel channel = channels.remove(channelId);
        if (channel != null) {
            if (tokenExpired(channel.token) && channel.hasOpenSocket()) {
                closedWithToken.incrementAndGet();
            }
            channel.closeSocketQuietly();
        }
    }

    /** Revokes every token of a client: sockets get {@code v2.system.token_revoked.*}, the token answers 401. */
    public void revokeTokens(String clientId) {
        tokens.values().stream().filter(t -> t.clientId.equals(clientId)).forEach(t -> t.revoked = true);
        for (SimChannel channel : channels.values()) {
            if (channel.clientId.equals(clientId)) {
                channel.writeIfOpen(systemMessage("v2.system.token_revoked." + channel.id, channel.id, "token_revoked",
                        "token revoked").put("eventBody", new JsonObject().put("reason", "user_tokens_revoked")
                        .put("channelId", channel.id).put("systemTopicType", "token_revoked")).encode());
            }
        }
    }

    /**
     * The next {@code times} requests matching {@code method} and a path prefix answer {@code status} (429 carries
     * {@code Retry-After: retryAfterSeconds}).
     */
    public void injectFault(String method, String pathPrefix, int status, int times, int retryAfterSeconds) {
        faults.add(new Fault(method, pathPrefix, status, new AtomicInteger(times), retryAfterSeconds));
    }

    public void clearFaults() {
        faults.clear();
    }

    public Collection<SimChannel> channels() {
        return List.copyOf(channels.values());
    }

    public Optional<SimChannel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    /** The channel carrying {@code topic}, if any. */
    public Optional<SimChannel> channelWithTopic(String topic) {
        return channels.values().stream().filter(c -> c.topics.contains(topic)).findFirst();
    }

    public Set<String> allTopics() {
        Set<String> all = new LinkedHashSet<>();
        channels.values().forEach(c -> all.addAll(c.topics));
        return all;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> requests(Predicate<RecordedRequest> filter) {
        return requests.stream().filter(filter).toList();
    }

    public long eventsEmitted() {
        return eventsEmitted.get();
    }

    public long eventsLost() {
        return eventsLost.get();
    }

    public int socketsOpened() {
        return socketsOpened.get();
    }

    public int openSockets() {
        return (int) channels.values().stream().filter(SimChannel::hasOpenSocket).count();
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpServerRequest request, Buffer body) {
        HttpServerResponse response = request.response();
        String path = request.path();
        response.putHeader("ININ-Correlation-ID", UUID.randomUUID().toString());
        if (path.startsWith("/sim/")) {
            SimulatorControl.handle(this, request, body);
            return;
        }
        String bearer = bearer(request);
        requests.add(new RecordedRequest(request.method().name(), path, request.query(), bearer, body.toString(),
                Instant.now()));
        Optional<Fault> fault = faults.stream().filter(f -> f.matches(request.method().name(), path)).findFirst();
        if (fault.isPresent()) {
            Fault f = fault.get();
            if (f.remaining.decrementAndGet() <= 0) {
                faults.remove(f);
            }
            if (f.status == 429) {
                response.putHeader("Retry-After", Integer.toString(f.retryAfterSeconds));
                platformError(response, 429, "too.many.requests.retry.after", "Rate limit exceeded the maximum. Retry the request in ["
                        + f.retryAfterSeconds + "] seconds");
            } else {
                platformError(response, f.status, f.status >= 500 ? "service.unavailable" : "bad.request",
                        "injected fault " + f.status);
            }
            return;
        }
        if (path.equals("/oauth/token") && request.method() == HttpMethod.POST) {
            token(request, body);
            return;
        }
        if (path.startsWith("/api/v2/")) {
            Token token = bearer == null ? null : tokens.get(bearer);
            if (token == null || token.revoked || token.expiresAt < System.currentTimeMillis()) {
                platformError(response, 401, "bad.credentials", "Invalid login credentials.");
                return;
            }
            if (!token.rateBudget.tryAcquire(settings.requestsPerMinute())) {
                long reset = token.rateBudget.secondsUntilReset();
                response.putHeader("Retry-After", Long.toString(reset));
                platformError(response, 429, "too.many.requests.retry.after",
                        "Rate limit exceeded the maximum. Retry the request in [" + reset + "] seconds");
                return;
            }
            response.putHeader("inin-ratelimit-allowed", Integer.toString(settings.requestsPerMinute()));
            response.putHeader("inin-ratelimit-count", Integer.toString(token.rateBudget.count()));
            response.putHeader("inin-ratelimit-reset", Long.toString(token.rateBudget.secondsUntilReset()));
            if (body.length() > 512_000) {
                platformError(response, 413, "request.entity.too.large", "The request is larger than request.bytes.max (512000)");
                return;
            }
            api(request, body, token);
            return;
        }
        platformError(response, 404, "not.found", "The requested resource was not found: " + path);
    }

    private void token(HttpServerRequest request, Buffer body) {
        HttpServerResponse response = request.response();
        String authorization = request.getHeader("Authorization");
        String clientId = null;
        String secret = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    clientId = decoded.substring(0, colon);
                    secret = decoded.substring(colon + 1);
                }
            } catch (IllegalArgumentException ignored) {
                // not base64: treated as a missing client below
            }
        }
        Map<String, String> form = parseForm(body.toString());
        String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            oauthError(response, 400, "invalid_request", "content type must be application/x-www-form-urlencoded");
            return;
        }
        if (clientId == null || !settings.clients().containsKey(clientId)) {
            oauthError(response, 401, "invalid_client", "client not found");
            return;
        }
        if (!settings.clients().get(clientId).equals(secret)) {
            oauthError(response, 401, "invalid_client", "authentication failed");
            return;
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            oauthError(response, 400, "unauthorized_client",
                    "client is not authorized to use the " + form.get("grant_type") + " grant type");
            return;
        }
        String accessToken = Base64.getUrlEncoder().withoutPadding()
                .encodeToString((UUID.randomUUID() + ":" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        long lifetime = settings.tokenLifetimeSeconds();
        tokens.put(accessToken, new Token(accessToken, clientId, System.currentTimeMillis() + lifetime * 1000));
        json(response, 200, new JsonObject().put("access_token", accessToken).put("token_type", "bearer")
                .put("expires_in", lifetime));
    }

    private void api(HttpServerRequest request, Buffer body, Token token) {
        HttpServerResponse response = request.response();
        String path = request.path();
        HttpMethod method = request.method();
        String channelsPrefix = "/api/v2/notifications/channels";
        if (path.equals(channelsPrefix)) {
            if (method == HttpMethod.POST) {
                json(response, 200, createChannel(token).toJson());
            } else if (method == HttpMethod.GET) {
                boolean byClient = "oauthclient".equals(request.getParam("includechannels"));
                JsonArray entities = new JsonArray();
                channels.values().stream()
                        .filter(c -> byClient ? c.clientId.equals(token.clientId) : c.token.equals(token.value))
                        .forEach(c -> entities.add(byClient && !c.token.equals(token.value)
                                ? new JsonObject().put("expires", c.expiresIso()) : c.toJson()));
                json(response, 200, new JsonObject().put("entities", entities));
            } else {
                platformError(response, 405, "method.not.allowed", "Method not allowed");
            }
            return;
        }
        if (path.startsWith(channelsPrefix + "/")) {
            String rest = path.substring(channelsPrefix.length() + 1);
            boolean subscriptions = rest.endsWith("/subscriptions");
            String channelId = subscriptions ? rest.substring(0, rest.length() - "/subscriptions".length()) : rest;
            SimChannel channel = liveChannel(channelId, token.clientId);
            if (!subscriptions) {
                if (method == HttpMethod.HEAD) {
                    response.setStatusCode(channel == null ? 404 : 200).end();
                } else {
                    platformError(response, 405, "method.not.allowed", "Method not allowed");
                }
                return;
            }
            if (channel == null) {
                platformError(response, 404, "not.found", "Channel " + channelId + " not found");
                return;
            }
            channel.lastUsed = System.nanoTime();
            subscriptions(request, body, channel, token);
            return;
        }
        if (path.equals("/api/v2/notifications/availabletopics") && method == HttpMethod.GET) {
            json(response, 200, new JsonObject().put("entities", new JsonArray()
                    .add(new JsonObject().put("id", "v2.detail.events.conversation.{id}.acw")
                            .put("description", "After-call-work detail events for a conversation")
                            .put("requiresPermissions", new JsonArray().add(ACW_PERMISSION))
                            .put("transports", new JsonArray().add("Websocket").add("EventBridge")))));
            return;
        }
        String analyticsPrefix = "/api/v2/analytics/conversations/";
        if (path.startsWith(analyticsPrefix) && method == HttpMethod.GET) {
            if (!token.permissions.contains(ACW_PERMISSION)) {
                platformError(response, 403, "missing.any.permissions", "Unable to perform the requested action. You are missing the following permission(s): [" + ACW_PERMISSION + "]");
                return;
            }
            String rest = path.substring(analyticsPrefix.length());
            if (rest.equals("details")) {
                JsonArray conversations = new JsonArray();
                String ids = Optional.ofNullable(request.getParam("id")).orElse("");
                for (String id : ids.split(",")) {
                    JsonObject doc = analytics.get(id.trim());
                    if (doc != null) {
                        conversations.add(doc);
                    }
                }
                json(response, 200, new JsonObject().put("conversations", conversations));
                return;
            }
            if (rest.endsWith("/details")) {
                String id = rest.substring(0, rest.length() - "/details".length());
                JsonObject doc = analytics.get(id);
                if (doc == null) {
                    platformError(response, 404, "not.found", "Conversation " + id + " not found");
                } else {
                    json(response, 200, doc);
                }
                return;
            }
        }
        platformError(response, 404, "not.found", "The requested resource was not found: " + path);
    }

    private void subscriptions(HttpServerRequest request, Buffer body, SimChannel channel, Token token) {
        HttpServerResponse response = request.response();
        HttpMethod method = request.method();
        if (method == HttpMethod.GET) {
            json(response, 200, channel.topicListing());
            return;
        }
        if (method == HttpMethod.DELETE) {
            channel.topics.clear();
            response.setStatusCode(204).end();
            return;
        }
        if (method != HttpMethod.POST && method != HttpMethod.PUT) {
            platformError(response, 405, "method.not.allowed", "Method not allowed");
            return;
        }
        JsonArray requested;
        try {
            requested = new JsonArray(body.toString());
        } catch (RuntimeException e) {
            platformError(response, 400, "bad.request", "The request could not be understood by the server due to malformed syntax.");
            return;
        }
        List<String> topics = new ArrayList<>();
        for (Object item : requested) {
            String id = item instanceof JsonObject o ? o.getString("id") : null;
            if (id == null || id.isBlank()) {
                platformError(response, 400, "bad.request", "Every subscription needs an id");
                return;
            }
            topics.add(id);
        }
        boolean ignoreErrors = Boolean.parseBoolean(request.getParam("ignoreErrors"));
        List<String> invalid = topics.stream().filter(t -> !isValidTopic(t)).toList();
        if (!invalid.isEmpty()) {
            platformError(response, 400, "notification.topic.invalid", "Invalid topic(s): " + invalid);
            return;
        }
        Set<String> rejected = new LinkedHashSet<>();
        if (!token.permissions.contains(ACW_PERMISSION)) {
            topics.stream().filter(t -> CONVERSATION_TOPIC.matcher(t).matches()).forEach(rejected::add);
            if (!rejected.isEmpty() && !ignoreErrors) {
                platformError(response, 403, "missing.any.permissions",
                        "Unable to subscribe to the requested topics. You are missing the following permission(s): ["
                                + ACW_PERMISSION + "]");
                return;
            }
        }
        Set<String> next = new LinkedHashSet<>(method == HttpMethod.POST ? channel.topics : Set.of());
        topics.stream().filter(t -> !rejected.contains(t)).forEach(next::add);
        if (next.size() > settings.maxTopicsPerChannel()) {
            platformError(response, 400, "notification.too.many.topics",
                    "A channel can have at most " + settings.maxTopicsPerChannel() + " topics; this request would make " + next.size());
            return;
        }
        channel.replaceTopics(next);
        // re-subscribing keeps a channel alive for another lifetime
        channel.expiresAt = System.currentTimeMillis() + settings.channelLifetimeMillis();
        JsonObject listing = channel.topicListing();
        for (String r : rejected) {
            listing.getJsonArray("entities").add(new JsonObject().put("id", r).put("state", "Rejected")
                    .put("rejectionReason", "missing permissions").put("missingPermissions", new JsonArray().add(ACW_PERMISSION)));
        }
        json(response, 200, listing);
    }

    static boolean isValidTopic(String topic) {
        if (topic.startsWith("v2.system.") || topic.equals("channel.metadata")) {
            return false;
        }
        return CONVERSATION_TOPIC.matcher(topic).matches() || OTHER_TOPIC.matcher(topic).matches();
    }

    private SimChannel createChannel(Token token) {
        List<SimChannel> own = channels.values().stream().filter(c -> c.clientId.equals(token.clientId)).toList();
        if (own.size() >= settings.maxChannels()) {
            // the 21st evicts the least recently used, channels without an open socket first
            SimChannel victim = own.stream()
                    .min(Comparator.comparing((SimChannel c) -> c.hasOpenSocket()).thenComparingLong(c -> c.lastUsed))
                    .orElseThrow();
            channels.remove(victim.id);
            noLongerSubscribed(victim);
        }
        String id = "streaming-" + channelSequence.incrementAndGet() % 10 + "-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 26);
        SimChannel channel = new SimChannel(id, "ws://" + settings.host() + ":" + port + "/channels/" + id,
                token.clientId, token.value, System.currentTimeMillis() + settings.channelLifetimeMillis());
        channels.put(id, channel);
        return channel;
    }

    private SimChannel liveChannel(String channelId, String clientId) {
        SimChannel channel = channels.get(channelId);
        if (channel == null || !channel.clientId.equals(clientId)) {
            return null;
        }
        if (channel.expiresAt < System.currentTimeMillis()) {
            expireChannel(channelId);
            return null;
        }
        return channel;
    }

    // ------------------------------------------------------------------ WebSocket

    private void onSocket(ServerWebSocket socket) {
        String path = socket.path();
        String channelId = path.startsWith("/channels/") ? path.substring("/channels/".length()) : null;
        SimChannel channel = channelId == null ? null : channels.get(channelId);
        if (channel == null || channel.expiresAt < System.currentTimeMillis()) {
            socket.reject(404);
            return;
        }
        socketsOpened.incrementAndGet();
        channel.lastUsed = System.nanoTime();
        ServerWebSocket previous = channel.socket;
        channel.socket = socket;
        channel.silenced = false;
        if (previous != null && !previous.isClosed()) {
            // one socket per channel: the newer connection wins
            previous.close((short) 4000, "another socket connected to this channel");
        }
        long heartbeat = vertx.setPeriodic(settings.heartbeatIntervalMillis(), t -> channel.writeIfOpen(socket,
                new JsonObject().put("topicName", "channel.metadata")
                        .put("eventBody", new JsonObject().put("message", "WebSocket Heartbeat")).encode()));
        socket.closeHandler(v -> {
            vertx.cancelTimer(heartbeat);
            if (channel.socket == socket) {
                channel.socket = null;
            }
        });
        socket.exceptionHandler(e -> { });
        socket.textMessageHandler(text -> onClientFrame(channel, socket, text));
        if (settings.greetingFrame() != null) {
            // sent the instant the upgrade completes: a client that registers its handler late loses it
            socket.writeTextMessage(settings.greetingFrame());
        }
    }

    private void onClientFrame(SimChannel channel, ServerWebSocket socket, String text) {
        if (channel.silenced || channel.socket != socket) {
            return;
        }
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (RuntimeException e) {
            channel.writeIfOpen(socket, new JsonObject().put("result", "400").put("status", "error").encode());
            return;
        }
        String kind = message.getString("message", "");
        String correlationId = message.getString("correlationId");
        switch (kind) {
            case "ping" -> channel.writeIfOpen(socket, new JsonObject().put("topicName", "channel.metadata")
                    .put("eventBody", new JsonObject().put("message", "pong")).encode());
            case "subscribe", "unsubscribe" -> {
                JsonArray topics = message.getJsonArray("topics", new JsonArray());
                boolean valid = topics.stream().allMatch(t -> t instanceof String s && isValidTopic(s));
                Set<String> next = new LinkedHashSet<>(channel.topics);
                topics.forEach(t -> {
                    if (kind.equals("subscribe")) {
                        next.add((String) t);
                    } else {
                        next.remove(t);
                    }
                });
                JsonObject reply = new JsonObject();
                if (!valid || next.size() > settings.maxTopicsPerChannel()) {
                    reply.put("result", "400").put("status", "failure");
                } else {
                    channel.replaceTopics(next);
                    channel.expiresAt = System.currentTimeMillis() + settings.channelLifetimeMillis();
                    reply.put("result", "200").put("status", kind.equals("subscribe") ? "subscribed" : "unsubscribed");
                }
                if (correlationId != null) {
                    reply.put("correlationId", correlationId);
                }
                channel.writeIfOpen(socket, reply.encode());
            }
            default -> channel.writeIfOpen(socket, new JsonObject().put("result", "400").put("status", "error").encode());
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The analytics conversation-details document holds the same wrap-up in its own shape: participant, session and
     * segments (spelled {@code wrapUpCode}/{@code wrapUpNote}, enums in lower case, times as ISO-8601), the external
     * contact and organization on the customer's participant.
     */
    private void recordAnalytics(AcwEvent e) {
        Instant end = Instant.ofEpochMilli(e.eventTime());
        Instant wrapStart = end.minusMillis(e.wrapupDurationMs());
        JsonObject wrapup = new JsonObject().put("segmentType", "wrapup")
                .put("segmentStart", wrapStart.toString()).put("segmentEnd", end.toString())
                .put("wrapUpCode", e.wrapupCode()).put("wrapUpNote", e.wrapupNotes()).put("queueId", e.queueId());
        JsonObject interact = new JsonObject().put("segmentType", "interact")
                .put("segmentStart", wrapStart.minusSeconds(120).toString()).put("segmentEnd", wrapStart.toString())
                .put("queueId", e.queueId());
        if (e.subject() != null) {
            interact.put("subject", e.subject());
            wrapup.put("subject", e.subject());
        }
        JsonObject session = new JsonObject().put("sessionId", e.sessionId())
                .put("mediaType", lower(e.mediaType())).put("direction", lower(e.direction()))
                .put("provider", e.provider()).put("ani", e.ani()).put("dnis", e.dnis())
                .put("addressTo", e.addressTo()).put("addressFrom", e.addressFrom())
                .put("callbackUserName", e.callbackUserName())
                .put("callbackNumbers", e.callbackNumbers() == null ? null : new JsonArray(e.callbackNumbers()))
                .put("callbackScheduledTime", e.callbackScheduledTime() == null ? null
                        : Instant.ofEpochMilli(e.callbackScheduledTime()).toString())
                .put("messageType", lower(e.messageType()))
                .put("segments", new JsonArray().add(interact).add(wrapup));
        session.getMap().values().removeIf(java.util.Objects::isNull);
        JsonObject participant = new JsonObject().put("participantId", e.participantId()).put("purpose", "agent")
                .put("userId", e.userId()).put("sessions", new JsonArray().add(session));
        analytics.compute(e.conversationId(), (id, doc) -> {
            JsonObject d = doc != null ? doc : newConversation(id, wrapStart.minusSeconds(180), e.direction());
            JsonArray participants = d.getJsonArray("participants");
            // the agent's leg (if recorded while it was talking) now carries its wrap-up
            participants.stream().map(JsonObject.class::cast)
                    .filter(p -> e.participantId().equals(p.getString("participantId"))).findFirst()
                    .ifPresent(participants::remove);
            participants.add(participant);
            externalParties(d, e);
            endIfEveryAgentIsDone(d, end);
            return d;
        });
    }

    /** The event's external contacts and organizations: the first on the customer, any other on an external party. */
    private static void externalParties(JsonObject doc, AcwEvent e) {
        List<String> contacts = e.conversationExternalContactIds() == null ? List.of() : e.conversationExternalContactIds();
        List<String> organizations = e.conversationExternalOrganizationIds() == null ? List.of()
                : e.conversationExternalOrganizationIds();
        JsonArray participants = doc.getJsonArray("participants");
        for (int i = 0; i < Math.max(contacts.size(), organizations.size()); i++) {
            String contact = i < contacts.size() ? contacts.get(i) : null;
            String organization = i < organizations.size() ? organizations.get(i) : null;
            boolean known = participants.stream().map(JsonObject.class::cast).anyMatch(p ->
                    (contact == null || contact.equals(p.getString("externalContactId")))
                            && (organization == null || organization.equals(p.getString("externalOrganizationId"))));
            if (known) {
                continue;
            }
            JsonObject party = participants.stream().map(JsonObject.class::cast)
                    .filter(p -> "customer".equals(p.getString("purpose")) && !p.containsKey("externalContactId")
                            && !p.containsKey("externalOrganizationId")).findFirst()
                    .orElseGet(() -> {
                        JsonObject external = new JsonObject().put("participantId", UUID.randomUUID().toString())
                                .put("purpose", "external").put("sessions", new JsonArray());
                        participants.add(external);
                        return external;
                    });
            if (contact != null) {
                party.put("externalContactId", contact);
            }
            if (organization != null) {
                party.put("externalOrganizationId", organization);
            }
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A transfer: another agent leg joins the conversation and is talking (an interact segment, no wrap-up yet).
     * Analytics shows no {@code conversationEnd} until that agent wraps up as well.
     */
    public void agentJoins(String conversationId, String participantId) {
        Instant now = Instant.now();
        JsonObject session = new JsonObject().put("sessionId", UUID.randomUUID().toString()).put("mediaType", "voice")
                .put("direction", "inbound").put("segments", new JsonArray().add(new JsonObject()
                        .put("segmentType", "interact").put("segmentStart", now.toString())));
        JsonObject participant = new JsonObject().put("participantId", participantId).put("purpose", "agent")
                .put("userId", UUID.randomUUID().toString()).put("sessions", new JsonArray().add(session));
        analytics.compute(conversationId, (id, doc) -> {
            JsonObject d = doc != null ? doc : newConversation(id, now.minusSeconds(60), "INBOUND");
            d.remove("conversationEnd");
            d.getJsonArray("participants").add(participant);
            return d;
        });
    }

    /**
     * A conversation that ends with no ACW event: the agent skipped after-call work ({@code acwSkipped}), or the
     * customer hung up before reaching an agent (only customer and ACD participants).
     */
    public void endWithoutWrapup(String conversationId, boolean agentSkippedWrapup) {
        Instant now = Instant.now();
        JsonObject doc = newConversation(conversationId, now.minusSeconds(120), "INBOUND");
        JsonArray participants = doc.getJsonArray("participants");
        participants.add(new JsonObject().put("participantId", UUID.randomUUID().toString()).put("purpose", "acd")
                .put("sessions", new JsonArray().add(new JsonObject().put("sessionId", UUID.randomUUID().toString())
                        .put("mediaType", "voice").put("segments", new JsonArray().add(new JsonObject()
                                .put("segmentType", "interact").put("segmentStart", now.minusSeconds(100).toString())
                                .put("segmentEnd", now.minusSeconds(60).toString()))))));
        if (agentSkippedWrapup) {
            participants.add(new JsonObject().put("participantId", UUID.randomUUID().toString()).put("purpose", "agent")
                    .put("userId", UUID.randomUUID().toString())
                    .put("sessions", new JsonArray().add(new JsonObject().put("sessionId", UUID.randomUUID().toString())
                            .put("mediaType", "voice").put("acwSkipped", true).put("segments", new JsonArray().add(
                                    new JsonObject().put("segmentType", "interact")
                                            .put("segmentStart", now.minusSeconds(60).toString())
                                            .put("segmentEnd", now.toString()))))));
        }
        doc.put("conversationEnd", now.toString());
        analytics.put(conversationId, doc);
    }

    private static JsonObject newConversation(String id, Instant start, String direction) {
        JsonArray participants = new JsonArray().add(new JsonObject().put("participantId", UUID.randomUUID().toString())
                .put("purpose", "customer").put("sessions", new JsonArray()));
        return new JsonObject().put("conversationId", id)
                .put("conversationStart", start.toString())
                .put("originatingDirection", direction.toLowerCase())
                .put("divisionIds", new JsonArray().add(UUID.nameUUIDFromBytes("division".getBytes()).toString()))
                .put("participants", participants);
    }

    /** Analytics ends a conversation once no agent leg is still without its wrap-up. */
    private static void endIfEveryAgentIsDone(JsonObject doc, Instant at) {
        boolean someoneTalking = doc.getJsonArray("participants").stream().map(JsonObject.class::cast)
                .filter(p -> "agent".equals(p.getString("purpose")))
                .anyMatch(p -> p.getJsonArray("sessions").stream().map(JsonObject.class::cast)
                        .noneMatch(ses -> ses.getBoolean("acwSkipped", false) || ses.getJsonArray("segments").stream()
                                .map(JsonObject.class::cast).anyMatch(seg -> "wrapup".equals(seg.getString("segmentType")))));
        if (someoneTalking) {
            doc.remove("conversationEnd");
        } else {
            doc.put("conversationEnd", at.toString());
        }
    }

    private static JsonObject systemMessage(String topic, String channelId, String type, String message) {
        return new JsonObject().put("topicName", topic).put("version", "2")
                .put("eventBody", new JsonObject().put("channelId", channelId).put("systemTopicType", type)
                        .put("message", message))
                .put("metadata", new JsonObject().put("CorrelationId", UUID.randomUUID().toString()));
    }

    static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    static void platformError(HttpServerResponse response, int status, String code, String message) {
        String correlation = Optional.ofNullable(response.headers().get("ININ-Correlation-ID")).orElse(UUID.randomUUID().toString());
        json(response, status, new JsonObject().put("message", message).put("code", code).put("status", status)
                .put("messageParams", new JsonObject()).put("contextId", correlation)
                .put("details", new JsonArray()).put("errors", new JsonArray()));
    }

    private static void oauthError(HttpServerResponse response, int status, String error, String description) {
        json(response, status, new JsonObject().put("error", error).put("description", description)
                .put("error_description", description));
    }

    private static String bearer(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private SimChannel requireChannel(String channelId) {
        SimChannel channel = channels.get(channelId);
        if (channel == null) {
            throw new IllegalArgumentException("no channel " + channelId);
        }
        return channel;
    }

    SimulatorSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ state

    /** One request the simulator received (the token's value is kept only to tell tokens apart). */
    public record RecordedRequest(String method, String path, String query, String bearer, String body, Instant at) {
        public int topicCount() {
            if (!path.endsWith("/subscriptions") || body.isBlank()) {
                return 0;
            }
            return new JsonArray(body).size();
        }
    }

    private record Fault(String method, String pathPrefix, int status, AtomicInteger remaining, int retryAfterSeconds) {
        boolean matches(String m, String path) {
            return (method == null || method.equalsIgnoreCase(m)) && path.startsWith(pathPrefix) && remaining.get() > 0;
        }
    }

    private final class Token {
        final String value;
        final String clientId;
        final long expiresAt;
        final Set<String> permissions;
        final RateBudget rateBudget = new RateBudget();
        volatile boolean revoked;

        Token(String value, String clientId, long expiresAt) {
            this.value = value;
            this.clientId = clientId;
            this.expiresAt = expiresAt;
            this.permissions = settings.permissions();
        }
    }

    /** Fixed one-minute window, as Genesys' per-token request budget. */
    private static final class RateBudget {
        private long windowStart = System.currentTimeMillis();
        private int count;

        synchronized boolean tryAcquire(int perMinute) {
            long now = System.currentTimeMillis();
            if (now - windowStart >= 60_000) {
                windowStart = now;
                count = 0;
            }
            if (count >= perMinute) {
                return false;
            }
            count++;
            return true;
        }

        synchronized int count() {
            return count;
        }

        synchronized long secondsUntilReset() {
            return Math.max(1, (60_000 - (System.currentTimeMillis() - windowStart) + 999) / 1000);
        }
    }

    /** A notification channel as the simulator keeps it. */
    public static final class SimChannel {
        final String id;
        final String connectUri;
        final String clientId;
        final String token;
        final Set<String> topics = ConcurrentHashMap.newKeySet();
        volatile long expiresAt;
        volatile long lastUsed = System.nanoTime();
        volatile ServerWebSocket socket;
        volatile boolean silenced;
        volatile boolean evicted;

        SimChannel(String id, String connectUri, String clientId, String token, long expiresAt) {
            this.id = id;
            this.connectUri = connectUri;
            this.clientId = clientId;
            this.token = token;
            this.expiresAt = expiresAt;
        }

        public String id() {
            return id;
        }

        /** The OAuth client whose token created it. */
        public String clientId() {
            return clientId;
        }

        public Set<String> topics() {
            return Set.copyOf(topics);
        }

        /** Changes the topic list so that a topic kept in it is never missing for a moment (publishing runs meanwhile). */
        void replaceTopics(Set<String> next) {
            topics.addAll(next);
            topics.retainAll(next);
        }

        public boolean hasOpenSocket() {
            ServerWebSocket s = socket;
            return s != null && !s.isClosed();
        }

        boolean writeIfOpen(String frame) {
            return writeIfOpen(socket, frame);
        }

        boolean writeIfOpen(ServerWebSocket target, String frame) {
            if (target == null || target.isClosed() || silenced || target != socket) {
                return false;
            }
            target.writeTextMessage(frame);
            return true;
        }

        void closeSocketQuietly() {
            ServerWebSocket s = socket;
            if (s != null && !s.isClosed()) {
                s.close((short) 1000, "channel closed");
            }
        }

        String expiresIso() {
            return Instant.ofEpochMilli(expiresAt).toString();
        }

        JsonObject toJson() {
            return new JsonObject().put("connectUri", connectUri).put("id", id).put("expires", expiresIso());
        }

        JsonObject topicListing() {
            JsonArray entities = new JsonArray();
            topics.forEach(t -> entities.add(new JsonObject().put("id", t).put("state", "Permitted")
                    .put("selfUri", "/api/v2/notifications/channels/" + id + "/subscriptions")));
            return new JsonObject().put("entities", entities);
        }
    }
}
