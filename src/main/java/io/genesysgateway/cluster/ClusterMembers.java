package io.genesysgateway.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterView;

/**
 * The instances standing in the election and their leader, as ZooKeeper last named them. Asked every second (route
 * cluster-members) and read from here by /status and the metrics: over a ZooKeeper connection that went silent the
 * question waits until the connection is found lost, which must hold up neither. Public: Camel JBang,
 * which compiles the sources it runs, makes an instance of each class it can and fails on a hidden constructor.
 */
public final class ClusterMembers {

    private record Seen(List<String> instances, long at, String problem) {
    }

    private volatile Seen seen = new Seen(List.of(), 0, "not asked yet");
    private volatile String leader = "";
    private volatile long leaderSince;

    /** This instance took the lead now (known at once, without asking). */
    synchronized void leaderIs(String id, long at) {
        leader = id;
        leaderSince = at;
    }

    /** Asks the election's view; on failure the last answer stays, with why it is not newer. Returns how many. */
    int refresh(CamelClusterView view) {
        Seen last = seen;
        try {
            List<String> ids = view == null ? List.of()
                    : view.getMembers().stream().map(CamelClusterMember::getId).sorted().toList();
            String now = view == null ? "" : view.getLeader().map(CamelClusterMember::getId).orElse("");
            synchronized (this) {
                if (!now.isEmpty() && !now.equals(leader)) {
                    leaderIs(now, System.currentTimeMillis()); // a follower sees a new leader within one period
                }
            }
            // the view answers none while cut off from ZooKeeper (this instance is always a member otherwise)
            seen = ids.isEmpty() ? new Seen(last.instances(), last.at(), "ZooKeeper connection lost")
                    : new Seen(ids, System.currentTimeMillis(), null);
        } catch (RuntimeException e) {
            seen = new Seen(last.instances(), last.at(), "ZooKeeper could not be asked: " + e.getMessage());
        }
        return seen.instances().size();
    }

    /** The leader ZooKeeper named at the last ask that worked, or null before any did. */
    String leader() {
        return seen.at() == 0 ? null : leader;
    }

    int count() {
        return seen.instances().size();
    }

    /**
     * Adds instances, instancesSeenAt, (when the last ask failed) instancesProblem, and lastElectionAt (when the
     * current leader was first seen leading: at once on the leader, within one period elsewhere) to a /status section.
     */
    void describeInto(Map<String, Object> out) {
        Seen known = seen;
        out.put("lastElectionAt", leaderSince == 0 ? "" : Instant.ofEpochMilli(leaderSince).toString());
        out.put("instances", known.instances());
        out.put("instancesSeenAt", known.at() == 0 ? "" : Instant.ofEpochMilli(known.at()).toString());
        if (known.problem() != null) {
            out.put("instancesProblem", known.problem());
        }
    }
}
