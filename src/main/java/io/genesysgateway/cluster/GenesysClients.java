package io.genesysgateway.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.genesysgateway.conversation.ConversationRepository;
import io.genesysgateway.conversation.ConversationStore.TrackOutcome;
import io.genesysgateway.store.Database;

/**
 * The OAuth clients of a cluster and their room. Each instance drives one client ({@code genesys.client-id}); the
 * instances of one client elect its leader, and the instances of several clients share the store. Each leader reports
 * its client and capacity every second (route genesys-clients); every instance reads, as often, the clients reported
 * and their open conversations, and gives a new conversation to the client with the most room. Alone there is one
 * client, and its channels say when it is full (as before). Public: Camel JBang makes an instance of each class.
 */
public class GenesysClients {

    /** A leader that has not reported for this long is gone: its client gets no new conversations until one is back. */
    static final Duration GONE_AFTER = Duration.ofSeconds(10);

    /** A client's figures for /status and the metrics: open conversations counted from the store. */
    public record Load(String client, String leaderInstance, int capacity, long open, Instant seenAt) {
        long room() {
            return Math.max(0, capacity - open);
        }
    }

    private final ClientRepository clients = new ClientRepository();
    private final ConversationRepository conversations = new ConversationRepository();
    private final Clock clock = Clock.systemUTC();
    private Database database;
    private Leadership leadership;
    private String client = "";
    private int maxChannels = 20;
    private int maxTopicsPerChannel = 1_000;
    private volatile List<Load> loads = List.of();
    /** New conversations given to each client here since the figures were read: they count against its room. */
    private final Map<String, Integer> givenSinceRead = new ConcurrentHashMap<>();
    private volatile Consumer<List<Load>> onRefresh = loads -> { };

    /** The leader: its client is there, and how many conversations its channels can carry (one channel spare). */
    public void report() {
        Instant now = clock.instant();
        database.commit(sql -> clients.report(sql, client, capacity(), leadership.instanceId(), now));
    }

    /** Reads the clients reported lately and their open conversations; returns how many clients are there. */
    public int refresh() {
        Instant now = clock.instant();
        List<Load> read = database.read(sql -> {
            Map<String, Long> open = conversations.openByClient(sql);
            List<Load> out = new ArrayList<>();
            for (ClientRepository.Reported r : clients.reportedSince(sql, now.minus(GONE_AFTER))) {
                out.add(new Load(r.client(), r.leaderInstance(), r.capacity(), open.getOrDefault(r.client(), 0L), r.seenAt()));
            }
            return out;
        });
        synchronized (this) {
            loads = read;
            givenSinceRead.clear();
        }
        onRefresh.accept(read);
        return read.size();
    }

    /**
     * The client a new conversation goes to: the one with the most room. Alone, or before any leader reported (the
     * cluster is starting), this instance's own; null when every client reported is full.
     */
    public synchronized String choose() {
        if (leadership.isAlone() || loads.isEmpty()) {
            return client;
        }
        String chosen = mostRoom(loads, givenSinceRead);
        if (chosen != null) {
            givenSinceRead.merge(chosen, 1, Integer::sum);
        }
        return chosen;
    }

    /** The client with the most room left once {@code given} are counted (the first such, by id); null: none has any. */
    static String mostRoom(List<Load> loads, Map<String, Integer> given) {
        String best = null;
        long bestRoom = 0;
        for (Load load : loads) {
            long room = load.room() - given.getOrDefault(load.client(), 0);
            if (room > bestRoom) {
                best = load.client();
                bestRoom = room;
            }
        }
        return best;
    }

    /** True when this instance subscribes the tracked conversation itself: it leads the conversation's client. */
    public boolean subscribesHere(TrackOutcome tracked) {
        return leadership.leads() && (tracked.client() == null || tracked.client().equals(client));
    }

    /** Channels kept for topics (one of the client's is spare, for moves) times the topics each carries. */
    int capacity() {
        return Math.max(1, maxChannels - 1) * maxTopicsPerChannel;
    }

    /** For /status (cluster mode): this instance's client and every client reported, with its leader and load. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Load load : loads) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("client", load.client());
            one.put("leaderInstance", load.leaderInstance());
            one.put("capacity", load.capacity());
            one.put("open", load.open());
            one.put("room", load.room());
            one.put("seenAt", load.seenAt().toString());
            out.add(one);
        }
        return out;
    }

    /** Told the clients each time they are read (the metrics' per-client series follow them). */
    public void onRefresh(Consumer<List<Load>> listener) {
        this.onRefresh = listener;
    }

    public String client() {
        return client;
    }

    public void setDatabase(Database database) {
        this.database = database;
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    public void setClient(String client) {
        this.client = client == null ? "" : client;
    }

    public void setMaxChannels(int maxChannels) {
        this.maxChannels = maxChannels;
    }

    public void setMaxTopicsPerChannel(int maxTopicsPerChannel) {
        this.maxTopicsPerChannel = maxTopicsPerChannel;
    }
}
