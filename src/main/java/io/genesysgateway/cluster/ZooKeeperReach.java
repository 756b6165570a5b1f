package io.genesysgateway.cluster;

import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Before anything starts (cluster mode): does ZooKeeper answer? The gateway's own start-up asks once, so that a
 * ZooKeeper that does not answer stops it after one connect time-out, with one line.
 */
public final class ZooKeeperReach {

    private ZooKeeperReach() {
    }

    /** Null when ZooKeeper answered within the time-out (or none is set), else the line that says it did not. */
    public static String problem(String zookeeper, long connectTimeoutMillis) throws InterruptedException {
        if (zookeeper == null || zookeeper.isBlank()) {
            return null;
        }
        try (CuratorFramework probe = CuratorFrameworkFactory.builder().connectString(zookeeper.trim())
                .connectionTimeoutMs((int) connectTimeoutMillis).retryPolicy(new RetryOneTime(250)).build()) {
            probe.start();
            return probe.blockUntilConnected((int) connectTimeoutMillis, TimeUnit.MILLISECONDS) ? null
                    : Leadership.unreachable(zookeeper, connectTimeoutMillis);
        }
    }
}
