package io.genesysgateway.e2e;

import java.util.Properties;

import io.genesysgateway.store.PostgresServer;
import org.junit.jupiter.api.AfterAll;

/** The durability scenarios on PostgreSQL (store.url): a real server the test starts itself. */
class DurabilityOnPostgresTest extends DurabilityScenarios {

    private static PostgresServer postgres;

    @Override
    protected void storeProperties(Properties p) {
        try {
            if (postgres == null) {
                postgres = PostgresServer.start();
            }
            p.put("store.url", postgres.createDatabase("gateway_" + System.nanoTime()));
            p.put("store.user", "postgres");
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL did not start", e);
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }
}
