package io.genesysgateway.jar;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.genesysgateway.store.PostgresServer;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What every cluster test runs against, started once per test class: the Genesys simulator, the history sink, a
 * real PostgreSQL and a real ZooKeeper (Curator's TestingServer), and the gateway processes' launcher.
 */
abstract class ClusterTestSupport {

    static GenesysSimulator simulator;
    static HistorySink sink;
    static PostgresServer postgres;
    static TestingServer zookeeper;
    static ClusterGateways gateways;

    @BeforeAll
    static void fakes() throws Exception {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        sink = new HistorySink().start(0);
        postgres = PostgresServer.start();
        zookeeper = new TestingServer(true);
        gateways = new ClusterGateways(simulator, sink);
    }

    @AfterAll
    static void stopFakes() throws Exception {
        simulator.close();
        sink.close();
        postgres.close();
        zookeeper.close();
    }
}
