package io.genesysgateway.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.zookeeper.ZooKeeperCuratorConfiguration;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance drives this instance's Genesys OAuth client ({@code genesys.client-id}). Alone
 * ({@code cluster.zookeeper} empty) this one always does, and the leader-only routes' policy ({@code leaderOnly})
 * changes nothing. In cluster mode the instances of one client elect its leader through Camel's cluster service on
 * ZooKeeper (one election per client; instances of other clients are other shards, see {@link GenesysClients}): the
 * leader-only routes carry the {@link ClusteredRoutePolicy} returned here (started on the leader, stopped elsewhere),
 * and a lost leadership is sent to {@code direct:leadership-lost} so that the sockets and channels of this instance go
 * with it. A leader whose ZooKeeper connection is lost stops leading at once, before its session can expire
 * ({@link ConnectedElection}).
 */
public class Leadership implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    private CamelContext camelContext;
    private String zookeeper = "";
    private String instanceId = "";
    private String namespace = "genesys-gateway";
    /** The OAuth client this instance drives when it leads: the instances of one client elect its leader. */
    private String client = "";
    private long sessionTimeoutMillis = 8_000;
    private long connectTimeoutMillis = 5_000;
    private volatile CuratorFramework curator;
    private volatile ZooKeeperClusterService service;
    private volatile ConnectedElection election;
    private volatile CamelClusterView view;
    private volatile RoutePolicy policy;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean recoveryDue = new AtomicBoolean(true);
    private final AtomicLong leadershipChanges = new AtomicLong();
    private final ClusterMembers members = new ClusterMembers();

    /** Cluster mode: connects to ZooKeeper within the connect time-out or stops start-up, then joins the election. */
    public synchronized void start() throws Exception {
        if (policy != null) {
            return;
        }

        if (instanceId.isBlank()) {
            instanceId = defaultInstanceId();
        }
        if (isAlone()) {
            bind(new RoutePolicySupport() { });
            return;
        }
        curator = CuratorFrameworkFactory.builder().connectString(zookeeper.trim())
                .sessionTimeoutMs((int) sessionTimeoutMillis).connectionTimeoutMs((int) connectTimeoutMillis)
                .retryPolicy(new ExponentialBackoffRetry(250, 10, 2_000)).build();
        curator.start();
        if (!curator.blockUntilConnected((int) connectTimeoutMillis, TimeUnit.MILLISECONDS)) {
            curator.close();
            curator = null;
            throw new ClusterUnavailable(unreachable(zookeeper, connectTimeoutMillis));
        }
        ZooKeeperCuratorConfiguration configuration = new ZooKeeperCuratorConfiguration();
        configuration.setNodes(zookeeper.trim());
        configuration.setBasePath("/genesys-gateway");
        configuration.setCuratorFramework(curator); // connected above, with this session time-out
        service = new ZooKeeperClusterService(configuration);
        service.setId(instanceId);
        service.setCamelContext(camelContext);
        camelContext.addService(service, true, true);
        // a leader cut off from ZooKeeper stops leading before its session can expire (see ConnectedElection)
        election = new ConnectedElection(service, curator);
        camelContext.addService(election, true, true);
        String electionOf = election(namespace, client);
        view = election.getView(electionOf);
        view.addEventListener((CamelClusterEventListener.Leadership) this::leadershipChanged);
        ClusteredRoutePolicy clustered = ClusteredRoutePolicy.forNamespace(election, electionOf);
        clustered.setCamelContext(camelContext);
        bind(clustered);
        LOG.info("Cluster mode: instance {} joined the election '{}' of OAuth client {} on ZooKeeper {} (session time-out {} ms)",
                instanceId, electionOf, client, zookeeper.trim(), sessionTimeoutMillis);
    }

    /**
     * Leaves the election: the ZooKeeper session ends now, so another instance leads at once instead of after the
     * session time-out. Camel calls it for the copy of the bean it makes while it first reads the routes, too.
     */
    public synchronized void stop() throws Exception {
        if (election != null) {
            camelContext.removeService(election);
            election.stop();
            election = null;
        }
        if (service != null) {
            camelContext.removeService(service);
            service.stop();
            service = null;
        }
        if (curator != null) {
            curator.close();
            curator = null;
        }
        view = null;
        policy = null;
    }

    private void leadershipChanged(CamelClusterView changed, CamelClusterMember leader) {
        boolean now = changed.getLocalMember().isLeader();
        if (leading.getAndSet(now) == now) {
            return;
        }
        leadershipChanges.incrementAndGet();
        recoveryDue.set(true); // the next leadership here starts from the store again
        if (now) {
            members.leaderIs(instanceId, System.currentTimeMillis());
            LOG.info("Instance {} leads: it drives the Genesys OAuth client now", instanceId);
        } else {
            if (camelContext.isStopping() || camelContext.isStopped()) {
                // this instance is stopping: its routes close the sockets themselves, and route leadership-lost may be
                // stopped already (a send to a direct endpoint without a consumer waits 30 s, holding up the stop)
                LOG.info("Instance {} left the election on its way down", instanceId);
                return;
            }
            LOG.warn("Instance {} no longer leads ({} does)", instanceId, leader == null ? "none yet" : leader.getId());
            // an event from ZooKeeper's thread, not a call a route makes: no Camel consumer could receive it, so it is
            // sent into the route that says what a lost leadership does
            try (ProducerTemplate template = camelContext.createProducerTemplate()) {
                template.sendBody("direct:leadership-lost", instanceId);
            } catch (Exception e) {
                LOG.warn("Giving up the channels after the lost leadership failed: {}", e.toString());
            }
        }
    }

    /** The policy of the leader-only routes, bound as {@code leaderOnly} (their {@code routePolicy}). */
    private void bind(RoutePolicy leaderOnly) {
        policy = leaderOnly;
        camelContext.getRegistry().bind("leaderOnly", RoutePolicy.class, leaderOnly);
    }

    /**
     * True once per leadership (alone: once after the start): the open conversations are to be taken over from the
     * store (route recover-after-start, which runs only while this instance leads).
     */
    public boolean recoveryDue() {
        return leads() && recoveryDue.getAndSet(false);
    }

    /** True when no other instance can share the store: no ZooKeeper set. */
    public boolean isAlone() {
        return zookeeper == null || zookeeper.isBlank();
    }

    /** True when this instance drives the Genesys client (always, alone). */
    public boolean leads() {
        return isAlone() || (view != null && view.getLocalMember().isLeader());
    }

    /** Asks ZooKeeper which instances stand in the election (route cluster-members); returns how many (1 alone). */
    public int refreshMembers() {
        return isAlone() ? 1 : members.refresh(view);
    }

    /** For /status: this instance, its role, who leads, the instances in the election and the last leadership change. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", isAlone() ? "alone" : "cluster");
        out.put("instance", instanceId);
        boolean leader = leads();
        out.put("leader", leader);
        out.put("role", leader ? "leader" : "follower");
        if (isAlone()) {
            return out;
        }
        // the leader names itself; a follower says whom ZooKeeper named at the last ask (route cluster-members, a
        // second ago at most): asking now, over a connection gone silent, would hold up /status until it is found lost
        String known = members.leader();
        String leaderId = leader ? instanceId : known != null ? known : askLeader();
        out.put("leaderInstance", leaderId);
        members.describeInto(out);
        // how often this instance took or lost the lead since it started
        out.put("leadershipChanges", leadershipChanges.get());
        return out;
    }

    /** Before the first ask of route cluster-members has worked (just after the start). */
    private String askLeader() {
        try {
            return view.getLeader().map(CamelClusterMember::getId).orElse("");
        } catch (RuntimeException e) {
            return ""; // ZooKeeper unreachable right now
        }
    }

    /** Instances in the election as last seen (1 when alone), for the metrics. */
    public int instanceCount() {
        return isAlone() ? 1 : members.count();
    }

    /** Times this instance took or lost the lead since it started, for the metrics. */
    public long leadershipChanges() {
        return leadershipChanges.get();
    }

    /** The OAuth client whose election this instance stands in. */
    public String client() {
        return client;
    }

    public String instanceId() {
        return instanceId;
    }

    /** One election per OAuth client: its name in ZooKeeper is the namespace and the client id (a path segment). */
    static String election(String namespace, String client) {
        return client.isBlank() ? namespace : namespace + "-" + client.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static String unreachable(String zookeeper, long connectTimeoutMillis) {
        return "ZooKeeper at " + zookeeper.trim() + " did not answer within " + connectTimeoutMillis + " ms (CLUSTER_ZOOKEEPER)";
    }

    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public void setZookeeper(String zookeeper) {
        this.zookeeper = zookeeper == null ? "" : zookeeper;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId == null ? "" : instanceId.trim();
    }

    public void setClient(String client) {
        this.client = client == null ? "" : client.trim();
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public void setSessionTimeoutMillis(long sessionTimeoutMillis) {
        this.sessionTimeoutMillis = sessionTimeoutMillis;
    }

    public void setConnectTimeoutMillis(long connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
