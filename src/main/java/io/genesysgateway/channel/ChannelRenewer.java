package io.genesysgateway.channel;

import java.time.Instant;
import java.util.List;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channels live 24 h after their last subscription write. A channel whose expiry comes within
 * {@code renewBeforeSeconds} gets its topics written again (route channel-renewal), so no socket dies of old age;
 * one that cannot be renewed moves to a new channel while it still delivers.
 */
public class ChannelRenewer {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelRenewer.class);

    private GenesysApi api;
    private ChannelRegistry registry;
    private ChannelMover mover;
    private ChannelFigures figures;
    private long renewBeforeSeconds = 3_600;

    public void renewExpiring() {
        // a subscription write: a PUT must never overtake a POST still in flight
        registry.writes().lock();
        try {
            Instant due = registry.now().plusSeconds(renewBeforeSeconds);
            registry.expiringBefore(due).forEach(this::renew);
        } finally {
            registry.writes().unlock();
        }
    }

    private void renew(Channel channel) {
        String channelId = channel.id();
        List<String> topics = channel.topics();
        try {
            api.replaceSubscriptions(channelId, topics);
            channel.renewed(registry.extendedExpiry());
            figures.renewed();
            LOG.info("Channel {} renewed until {}", channelId, channel.expires());
        } catch (GenesysApiException e) {
            if (e.status() == 404) {
                registry.markLost(channelId, "Genesys answered 404 for the channel (evicted or expired)");
                return;
            }
            // it would expire with its topics: they move to a new channel while this one still delivers
            LOG.warn("Channel {} could not be renewed ({}): moving its topics to a new channel", channelId, e.getMessage());
            mover.move(channel, "its renewal failed");
        }
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setMover(ChannelMover mover) {
        this.mover = mover;
    }

    public void setFigures(ChannelFigures figures) {
        this.figures = figures;
    }

    public void setRenewBeforeSeconds(long renewBeforeSeconds) {
        this.renewBeforeSeconds = renewBeforeSeconds;
    }
}
