package io.genesysgateway.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import io.genesysgateway.socket.ChannelSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a channel whose socket was lost a socket again, one channel at a time, with back-off: the same channel when
 * Genesys still has it ({@code HEAD}), its subscriptions written again; otherwise its topics go back through the
 * subscribe path. A socket Genesys announced it will close is replaced while it still delivers. Losses are only
 * noted when they happen; route channel-reconnect calls {@link #reconnectDue()} and reports the gaps it returns.
 */
public class SocketReconnector implements ChannelSockets.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(SocketReconnector.class);

    private GenesysApi api;
    private ChannelSockets sockets;
    private ChannelRegistry registry;
    private ChannelFigures figures;
    private long initialDelayMillis = 500;
    private long maxDelayMillis = 30_000;

    /** Listens to the sockets from start-up on. */
    public void start() {
        sockets.setListener(this);
    }

    /** A socket closed without being asked, died silently, or lost its subscriptions: reconnected soon. */
    @Override
    public void socketLost(String channelId, String why) {
        registry.markLost(channelId, why);
    }

    /**
     * {@code v2.system.socket_closing}: Genesys will close this socket within a minute. A new socket on the same
     * channel is opened with the next {@link #reconnectDue()}, while the old one still delivers (make before break).
     */
    public void socketClosing(String channelId) {
        registry.markClosing(channelId);
    }

    /**
     * Replaces announced closings and reconnects the lost sockets whose back-off is over. Returns each gap that ended
     * (socket back, or channel gone) for the route to have its conversations reconciled.
     */
    public List<SocketGap> reconnectDue() {
        for (Channel channel : registry.takeClosing()) {
            LOG.info("Genesys announced maintenance for channel {}: moving to a new socket", channel.id());
            if (!sockets.open(channel.id(), channel.connectUri())) {
                registry.markLost(channel.id(), "replacement socket did not open after socket_closing");
            }
        }
        List<SocketGap> gaps = new ArrayList<>();
        for (Channel channel : registry.reconnectsDue()) {
            SocketGap gap = reconnect(channel);
            if (gap != null) {
                figures.gap(gap.window());
                gaps.add(gap);
            }
        }
        return gaps;
    }

    private SocketGap reconnect(Channel channel) {
        String channelId = channel.id();
        figures.reconnectTried();
        try {
            if (!api.channelExists(channelId)) {
                return gone(channel);
            }
            if (sockets.open(channelId, channel.connectUri())) {
                // the channel may have lost its subscriptions (no_longer_subscribed): put them back
                api.replaceSubscriptions(channelId, channel.topics());
                List<String> affected = channel.topics().stream().map(AcwTopic::conversationOf).toList();
                GapWindow gap = channel.reconnected(registry.extendedExpiry(), registry.now());
                LOG.info("Channel {} has a socket again after {} ms without one", channelId,
                        gap.to().toEpochMilli() - gap.from().toEpochMilli());
                return new SocketGap(gap, affected, false);
            }
        } catch (GenesysApiException e) {
            LOG.warn("Reconnecting channel {} failed: {}", channelId, e.getMessage());
        }
        int failed = channel.reconnectFailed();
        long delay = Math.min(maxDelayMillis, initialDelayMillis * (1L << Math.min(16, failed)));
        channel.nextReconnectAt(registry.now().plusMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1)));
        return null;
    }

    /**
     * Genesys no longer has the channel (evicted by a 21st channel, expired, closed with its token): its topics go
     * back through the subscribe path, onto a channel with room or a new one (never one whose creation would evict
     * a live channel), and their conversations are reconciled for the gap.
     */
    private SocketGap gone(Channel channel) {
        List<String> affected = registry.gone(channel);
        GapWindow gap = channel.gapUntil(registry.now());
        String note = "channel " + gap.channelId() + " removed by Genesys (" + gap.why() + ") at " + gap.from();
        figures.channelGone(note);
        sockets.close(gap.channelId());
        LOG.warn("Genesys no longer has {}: its {} topic(s) are subscribed again elsewhere", note, affected.size());
        return new SocketGap(gap, affected, true);
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setFigures(ChannelFigures figures) {
        this.figures = figures;
    }

    public void setInitialDelayMillis(long initialDelayMillis) {
        this.initialDelayMillis = initialDelayMillis;
    }

    public void setMaxDelayMillis(long maxDelayMillis) {
        this.maxDelayMillis = maxDelayMillis;
    }
}
