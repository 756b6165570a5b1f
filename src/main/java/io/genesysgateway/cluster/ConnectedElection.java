package io.genesysgateway.cluster;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper election, in which this instance counts as leader only while its connection to ZooKeeper holds.
 * Camel's ZooKeeper view tells of a lost leadership only when its leader thread notices, which can be late while
 * disconnected; Curator reports the lost connection (SUSPENDED) well before the session can expire and another
 * instance be elected, so the leadership is given up then: the leader-only routes stop (their
 * {@code ClusteredRoutePolicy} listens to this view) and the lost leadership is told at once. It counts again after
 * RECONNECTED once ZooKeeper, read afresh, still names this instance leader.
 */
class ConnectedElection extends AbstractCamelClusterService<ConnectedElection.View> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectedElection.class);

    private final CamelClusterService zookeeper;
    private final List<View> views = new CopyOnWriteArrayList<>();

    private volatile ScheduledExecutorService rejoining;

    ConnectedElection(CamelClusterService zookeeper, CuratorFramework curator) {
        super(zookeeper.getId(), zookeeper.getCamelContext());
        this.zookeeper = zookeeper;
        curator.getConnectionStateListenable().addListener((client, state) -> views.forEach(v -> {
            v.connectionChanged(state);
            if (state == ConnectionState.RECONNECTED) {
                rejoinSoon(v, 10);
            }
        }));
    }

    @Override
    protected void doStart() throws Exception {
        rejoining = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-rejoin");
            t.setDaemon(true);
            return t;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (rejoining != null) {
            rejoining.shutdownNow();
        }
    }

    /**
     * A lost connection costs this instance its place in the election (Curator cancels a leadership on SUSPENDED, an
     * expired session removes the candidate), and Camel's view does not stand again by itself (its Curator
     * LeaderSelector is not re-queued): once reconnected, restarting the view re-queues it, so that this instance is a
     * standby again. Checked a second later, and again until it is in (or out of attempts).
     */
    private void rejoinSoon(View view, int attemptsLeft) {
        ScheduledExecutorService executor = rejoining;
        if (executor == null || executor.isShutdown() || attemptsLeft == 0) {
            return;
        }
        executor.schedule(() -> {
            try {
                String id = view.getLocalMember().getId();
                if (view.election.getMembers().stream().anyMatch(m -> id.equals(m.getId()))) {
                    return; // a candidate (again)
                }
                LOG.info("Instance {} stands for election '{}' again (its place went with the ZooKeeper connection)", id,
                        view.getNamespace());
                zookeeper.stopView(view.getNamespace());
                zookeeper.startView(view.getNamespace());
            } catch (Exception e) {
                LOG.warn("Standing for election again failed, retrying: {}", e.toString());
            }
            rejoinSoon(view, attemptsLeft - 1);
        }, 1, TimeUnit.SECONDS);
    }

    @Override
    protected View createView(String namespace) throws Exception {
        View view = new View(this, zookeeper.getView(namespace));
        views.add(view);
        return view;
    }

    static final class View extends AbstractCamelClusterView {

        private final CamelClusterView election;
        private final CamelClusterMember local;
        private volatile boolean connected = true;
        private volatile boolean told; // the leadership last told to the listeners, what this view reports

        View(CamelClusterService service, CamelClusterView election) {
            super(service, election.getNamespace());
            this.election = election;
            this.local = new CamelClusterMember() {
                @Override
                public boolean isLeader() {
                    return told;
                }

                @Override
                public boolean isLocal() {
                    return true;
                }

                @Override
                public String getId() {
                    return election.getLocalMember().getId();
                }
            };
            election.addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> tell());
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        /** Empty while disconnected: ZooKeeper cannot say, and asking would block for the connection time-out. */
        @Override
        public Optional<CamelClusterMember> getLeader() {
            if (!connected) {
                return Optional.empty();
            }
            return election.getLeader().map(m -> m.getId() != null && m.getId().equals(local.getId()) ? local : m);
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            return connected ? election.getMembers() : List.of();
        }

        @Override
        protected void doStart() {
            // the election's own view is started by the ZooKeeper cluster service
        }

        @Override
        protected void doStop() {
            // idem
        }

        void connectionChanged(ConnectionState state) {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                connected = false;
                LOG.warn("ZooKeeper connection {}: instance {} does not lead while it is cut off", state, local.getId());
            } else if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
                connected = true;
                LOG.info("ZooKeeper connection {}", state);
            }
            tell();
        }

        /** Tells the listeners when this instance's leadership changed: lost at once, taken once ZooKeeper confirms it. */
        private synchronized void tell() {
            boolean now = connected && election.getLocalMember().isLeader() && (told || confirmed());
            if (now == told) {
                return;
            }
            told = now;
            fireLeadershipChangedEvent(now ? local : null);
        }

        /** ZooKeeper, read now, names this instance leader. */
        private boolean confirmed() {
            try {
                return election.getLeader().map(m -> local.getId().equals(m.getId())).orElse(false);
            } catch (RuntimeException notNow) {
                return false;
            }
        }
    }
}
