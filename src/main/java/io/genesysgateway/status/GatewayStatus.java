package io.genesysgateway.status;

import java.util.LinkedHashMap;
import java.util.Map;

import io.genesysgateway.channel.ChannelFigures;
import io.genesysgateway.cluster.GenesysClients;
import io.genesysgateway.cluster.Leadership;
import io.genesysgateway.conversation.ConversationFigures;
import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.TokenCache;
import io.genesysgateway.history.Outbox;
import io.genesysgateway.store.Database;
import io.genesysgateway.socket.ChannelSockets;
import io.genesysgateway.socket.FrameCounters;

/** One JSON document with what an operator needs to see (served at {@code GET /status}); no secrets. */
public class GatewayStatus {

    private ConversationFigures conversations;
    private ChannelFigures channels;
    private ChannelSockets sockets;
    private FrameCounters frames;
    private TokenCache tokenCache;
    private GenesysApi api;
    private Outbox outbox;
    private Database database;
    private Leadership leadership;
    private GenesysClients clients;

    private boolean sandbox;

    public void setSandbox(boolean sandbox) {
        this.sandbox = sandbox;
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (sandbox) {
            out.put("sandbox", "SANDBOX: simulated Genesys Cloud, not a production gateway");
        }
        out.put("conversations", conversations.countsByState());
        // triggers stored, not yet on a channel: in cluster mode the leader's lag behind every instance's triggers
        out.put("subscriptionLag", conversations.subscriptionLag());
        out.put("channels", channels.describeChannels());
        out.put("topics", channels.topicCount());
        out.put("sockets", sockets.counters());
        out.put("frames", frames.snapshot());
        out.put("reconnects", channels.reconnects());
        out.put("channelRenewals", channels.channelRenewals());
        var gaps = channels.gaps();
        out.put("gapWindows", gaps.size());
        out.put("longestGapMillis", gaps.stream()
                .mapToLong(g -> g.to().toEpochMilli() - g.from().toEpochMilli()).max().orElse(0));
        if (!gaps.isEmpty()) {
            var last = gaps.get(gaps.size() - 1);
            out.put("lastGap", Map.of("channelId", last.channelId(), "from", last.from().toString(),
                    "to", last.to().toString(), "why", last.why()));
        }
        out.put("capacityRejections", channels.capacityRejections());
        out.put("channelMoves", channels.channelMoves());
        out.put("channelsGone", channels.channelsGone());
        if (channels.lastChannelGone() != null) {
            out.put("lastChannelGone", channels.lastChannelGone());
        }
        out.put("token", tokenCache.describe());
        out.put("genesysCallsByStatus", api.callsByStatus());
        out.put("store", database.describe());
        out.put("historyRecords", outbox.counts());
        out.put("deadLetters", outbox.deadLetterCount());
        if (leadership != null) {
            Map<String, Object> cluster = leadership.describe();
            if (clients != null && !leadership.isAlone()) {
                // the OAuth client this instance drives when it leads, and every client of the cluster with its load
                cluster.put("client", clients.client());
                cluster.put("clients", clients.describe());
            }
            out.put("cluster", cluster);
        }
        return out;
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

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    public void setClients(GenesysClients clients) {
        this.clients = clients;
    }
}
