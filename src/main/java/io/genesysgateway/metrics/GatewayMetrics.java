package io.genesysgateway.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

import io.genesysgateway.channel.ChannelFigures;
import io.genesysgateway.cluster.GenesysClients;
import io.genesysgateway.cluster.Leadership;
import io.genesysgateway.conversation.ConversationState;
import io.genesysgateway.conversation.ConversationFigures;
import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.TokenCache;
import io.genesysgateway.history.DeliveryHealth;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.socket.ChannelSockets;
import io.genesysgateway.socket.FrameCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Service;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The gateway's domain metrics on Camel's Micrometer registry (Prometheus text at {@code /observe/metrics}),
 * next to Camel's route metrics. Names start with {@code genesys_gateway_}. Gauges read the beans that own the
 * state; nothing is counted twice. Without a registry (metrics off) every method does nothing.
 */
public class GatewayMetrics implements CamelContextAware, Service {

    private static final List<String> FRAME_KINDS =
            List.of("heartbeat", "pong", "acw", "socket_closing", "system", "unrecognised", "malformed");

    private static final Set<String> ADDRESS_SCHEMES =
            Set.of("http", "https", "ws", "wss", "genesys-websocket", "vertx-websocket", "jdbc", "sql");
    private static final Pattern CHANNEL_ID = Pattern.compile("streaming-[A-Za-z0-9-]+");

    /**
     * /observe/metrics is open: no label may carry a URL or a channel id. Camel's route and exchange metrics are
     * labelled with route ids (a socket route's holds its channel id) and endpoint URIs (Genesys' and history's
     * addresses): an address keeps only its scheme, a channel id becomes {@code channel} (one series for all
     * sockets; the gateway's own gauges count channels and sockets).
     */
    static final MeterFilter LABELS_WITHOUT_ADDRESSES = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            List<Tag> tags = new ArrayList<>();
            boolean changed = false;
            for (Tag tag : id.getTagsAsIterable()) {
                String value = labelValue(tag.getValue());
                changed |= !value.equals(tag.getValue());
                tags.add(Tag.of(tag.getKey(), value));
            }
            return changed ? id.replaceTags(tags) : id;
        }
    };

    static String labelValue(String value) {
        int colon = value.indexOf(':');
        if (colon > 0 && ADDRESS_SCHEMES.contains(value.substring(0, colon).toLowerCase(java.util.Locale.ROOT))) {
            return value.substring(0, colon);
        }
        String masked = CHANNEL_ID.matcher(value).replaceAll("channel");
        // a socket route is genesys-socket-<channel>-<generation>: one series for all of them
        return masked.startsWith("genesys-socket-channel") ? "genesys-socket" : masked;
    }

    private CamelContext camelContext;
    private MeterRegistry registry;
    private ConversationFigures conversations;
    private ChannelFigures channels;
    private ChannelSockets sockets;
    private FrameCounters frames;
    private TokenCache tokenCache;
    private GenesysApi api;
    private Outbox outbox;
    private DeliveryHealth deliveryHealth;
    private Leadership leadership;
    private GenesysClients clients;

    @Override
    public synchronized void start() {
        if (registry != null) {
            return; // Camel starts registry services more than once
        }
        registry = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            return;
        }
        registry.config().meterFilter(LABELS_WITHOUT_ADDRESSES);
        for (ConversationState state : ConversationState.values()) {
            gauge("genesys.gateway.conversations", "tracked conversations by state", conversations,
                    c -> c.countsByState().get(state.label()), "state", state.label());
        }
        gauge("genesys.gateway.channels", "notification channels held", channels, ChannelFigures::channelCount);
        gauge("genesys.gateway.topics", "ACW topics subscribed over all channels", channels, ChannelFigures::topicCount);
        gauge("genesys.gateway.topics.max.per.channel", "topics on the fullest channel", channels,
                ChannelFigures::maxTopicsOnAChannel);
        gauge("genesys.gateway.topics.capacity", "topics the channels may carry at most (the trigger answers 503 beyond)",
                channels, ChannelFigures::topicCapacity);
        gauge("genesys.gateway.channels.without.socket", "channels carrying topics with no open socket", channels,
                ChannelFigures::channelsWithoutSocket);
        gauge("genesys.gateway.sockets.open", "open notification sockets", sockets, s -> s.counters().get("openSockets"));
        gauge("genesys.gateway.seconds.since.last.frame", "longest time any open socket has been quiet", sockets,
                ChannelSockets::secondsSinceLastFrame);
        gauge("genesys.gateway.dead.letters", "history records in the dead-letter state", outbox, Outbox::deadLetterCount);
        gauge("genesys.gateway.outbox.pending", "wrap-ups stored and not yet accepted by history", outbox, Outbox::pendingCount);
        // a follower holds no token (the leader does): it reports 1, so that an alert on 0 means the leader's token
        gauge("genesys.gateway.token.valid", "1 while an access token can be had (always 1 on a follower)", tokenCache,
                t -> t.isHealthy() || !leadership.leads() ? 1 : 0);
        gauge("genesys.gateway.history.failing", "1 while history deliveries keep failing (readiness is DOWN for it)",
                deliveryHealth, h -> h.isFailing() ? 1 : 0);
        gauge("genesys.gateway.subscriptions.waiting", "triggers stored whose topic is not yet on a channel", conversations,
                ConversationFigures::waiting);
        gauge("genesys.gateway.subscriptions.oldest.waiting.seconds",
                "how long the oldest trigger not yet subscribed has waited (in a cluster: the leader's lag)", conversations,
                ConversationFigures::oldestWaitingSeconds);
        // labelled with the OAuth client: with several clients (shards) there is one leader per client
        gauge("genesys.gateway.cluster.leader", "1 while this instance drives its Genesys OAuth client (always, alone)",
                leadership, l -> l.leads() ? 1 : 0, "client", leadership.client());
        gauge("genesys.gateway.cluster.instances", "instances in the election as last seen on ZooKeeper (1 alone)",
                leadership, Leadership::instanceCount);
        counter("genesys.gateway.cluster.leadership.changes", "times this instance took or lost the lead", leadership,
                Leadership::leadershipChanges);
        if (clients != null) {
            perClient();
        }
        // the same answer as /observe/health/ready, for alerting where nothing probes the pod
        gauge("genesys.gateway.ready", "1 while the readiness checks are UP", camelContext, GatewayMetrics::ready);
        counter("genesys.gateway.reconnects", "socket replacements after a loss", channels, ChannelFigures::reconnects);
        counter("genesys.gateway.channel.moves", "channels moved make-before-break (token renewed, renewal failed)",
                channels, ChannelFigures::channelMoves);
        counter("genesys.gateway.channels.gone", "channels Genesys removed (evicted, expired, closed with their token)",
                channels, ChannelFigures::channelsGone);
        counter("genesys.gateway.gap.windows", "windows without a socket (events may be lost)", channels,
                p -> p.gaps().size());
        counter("genesys.gateway.channel.renewals", "channels renewed before expiry", channels, ChannelFigures::channelRenewals);
        counter("genesys.gateway.capacity.rejections", "triggers refused: all channels full", channels,
                ChannelFigures::capacityRejections);
        counter("genesys.gateway.token.renewals", "access tokens obtained", tokenCache, TokenCache::renewals);
        counter("genesys.gateway.pings", "pings sent to quiet sockets", sockets, s -> s.counters().get("pingsSent"));
        for (String kind : FRAME_KINDS) {
            FunctionCounter.builder("genesys.gateway.frames", frames, f -> f.get(kind))
                    .description("socket frames received by kind").tag("kind", kind).register(registry);
        }
        counter("genesys.gateway.acw.untracked", "ACW events not sent: their conversation is not tracked", frames,
                f -> f.get("acw_untracked"));
        api.setCallListener(status -> Counter.builder("genesys.gateway.genesys.api.calls")
                .description("Genesys Platform API calls by HTTP status (0 = no answer)").tag("status", status)
                .register(registry).increment());
    }

    /** Counts a history delivery attempt's outcome: {@code ok}, {@code retried}, {@code deferred} or {@code dead_letter}. */
    public void delivery(String outcome) {
        deliveries(outcome, 1);
    }

    /** Counts {@code count} history deliveries with the same outcome. */
    public void deliveries(String outcome, int count) {
        if (registry != null) {
            Counter.builder("genesys.gateway.deliveries").description("history deliveries by outcome")
                    .tag("outcome", outcome).register(registry).increment(count);
        }
    }

    /** Counts a wrap-up newly written to the outbox, by source: {@code live} or {@code reconciled}. */
    public void recordStored(String source) {
        if (registry != null) {
            Counter.builder("genesys.gateway.records.stored").description("wrap-ups stored for delivery, by source")
                    .tag("source", source).register(registry).increment();
        }
    }

    @Override
    public void stop() {
        // meters belong to the registry, which Camel closes
    }

    /**
     * One series per OAuth client of the cluster (label client), replaced each time the clients are read: a client
     * whose leader is gone leaves them. Alone none is read and there are none.
     */
    private void perClient() {
        MultiGauge open = MultiGauge.builder("genesys.gateway.client.open.conversations")
                .description("open conversations given to the OAuth client (cluster mode)").register(registry);
        MultiGauge capacity = MultiGauge.builder("genesys.gateway.client.capacity")
                .description("conversations the OAuth client's channels can carry (cluster mode; 503 once all are full)")
                .register(registry);
        clients.onRefresh(loads -> {
            open.register(loads.stream().map(l -> MultiGauge.Row.of(Tags.of("client", l.client()), l.open())).toList(), true);
            capacity.register(loads.stream().map(l -> MultiGauge.Row.of(Tags.of("client", l.client()), l.capacity())).toList(),
                    true);
        });
    }

    private static double ready(CamelContext context) {
        return context.isStarted() && HealthCheckHelper.invokeReadiness(context, "full").stream()
                .noneMatch(r -> r.getState() == HealthCheck.State.DOWN) ? 1 : 0;
    }

    private <T> void gauge(String name, String help, T target, ToDoubleFunction<T> value, String... tags) {
        Gauge.builder(name, target, value).description(help).tags(tags).register(registry);
    }

    private <T> void counter(String name, String help, T target, ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, target, value).description(help).register(registry);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setConversations(ConversationFigures conversations) {
        this.conversations = conversations;
    }

    public void setChannels(ChannelFigures channels) {
        this.channels = channels;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setFrames(FrameCounters frames) {
        this.frames = frames;
    }

    public void setTokenCache(TokenCache tokenCache) {
        this.tokenCache = tokenCache;
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    public void setClients(GenesysClients clients) {
        this.clients = clients;
    }

    public void setDeliveryHealth(DeliveryHealth deliveryHealth) {
        this.deliveryHealth = deliveryHealth;
    }
}
