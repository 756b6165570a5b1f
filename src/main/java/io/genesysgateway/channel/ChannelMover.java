package io.genesysgateway.channel;

import java.util.List;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.socket.ChannelSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a channel's topics to a new channel, make before break: new channel, socket open, topics subscribed, then
 * the old socket closed, so no event falls into a gap (both sockets deliver for a moment; the store drops the
 * repeats). Genesys closes a channel when the access token it was made with expires, so once a newer token is held
 * every channel of an older one moves; a channel that cannot be renewed moves too ({@link ChannelRenewer}).
 */
public class ChannelMover {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelMover.class);
    private static final long RETRY_SECONDS = 5;

    private GenesysApi api;
    private ChannelRegistry registry;
    private ChannelOpener opener;
    private ChannelSockets sockets;
    private ChannelFigures figures;

    /** Every channel made with a token older than {@code generation} moves (route token-renewal). */
    public void moveToToken(long generation) {
        registry.writes().lock();
        try {
            registry.olderThan(generation).forEach(c -> move(c, "its access token expires soon"));
        } finally {
            registry.writes().unlock();
        }
    }

    /** Moves the channel; true when its topics are on a new channel (or it had none and was retired). */
    boolean move(Channel channel, String why) {
        registry.writes().lock(); // a subscription write: none other runs meanwhile
        try {
            if (!registry.held(channel)) {
                return false; // lost meanwhile: the reconnect has it
            }
            String oldId = channel.id();
            if (channel.topicCount() == 0) {
                boolean retired = registry.retireIfEmpty(channel); // nothing to carry: retired instead of moved
                if (retired) {
                    sockets.close(oldId);
                    LOG.info("Channel {} retired: no topics left", oldId);
                }
                return retired;
            }
            Channel fresh = null;
            List<String> topics;
            try {
                fresh = opener.open();
                topics = channel.topics();
                // the new channel carries exactly the moved topics
                api.replaceSubscriptions(fresh.id(), topics);
            } catch (RuntimeException e) {
                if (fresh != null) {
                    // created but not subscribed: its socket closes, and Genesys' 21st evicts it first
                    sockets.close(fresh.id());
                    registry.retired().add(fresh.id());
                }
                channel.moveFailed(registry.now().plusSeconds(RETRY_SECONDS));
                LOG.warn("Channel {} could not move to a new channel ({}), trying again in {} s: {}", oldId, why,
                        RETRY_SECONDS, e.getMessage());
                return false;
            }
            fresh.renewed(registry.extendedExpiry());
            registry.moved(channel, fresh);
            sockets.close(oldId);
            figures.moved();
            LOG.info("Channel {} moved to new channel {} with its {} topics ({}); no gap", oldId, fresh.id(),
                    topics.size(), why);
            return true;
        } finally {
            registry.writes().unlock();
        }
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setOpener(ChannelOpener opener) {
        this.opener = opener;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setFigures(ChannelFigures figures) {
        this.figures = figures;
    }
}
