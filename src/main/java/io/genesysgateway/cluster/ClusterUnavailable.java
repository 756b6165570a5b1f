package io.genesysgateway.cluster;

/** Cluster mode cannot be joined (ZooKeeper does not answer): a set-up problem, reported in one line at start-up. */
public class ClusterUnavailable extends RuntimeException {

    public ClusterUnavailable(String message) {
        super(message);
    }
}
